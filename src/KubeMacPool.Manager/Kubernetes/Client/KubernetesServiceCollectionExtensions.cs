using k8s;
using KubeMacPool.Manager.Hosting;

namespace KubeMacPool.Manager.Kubernetes.Client;

internal static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// One shared client: in-cluster credentials inside a pod, else <c>--kubeconfig</c> or <c>$KUBECONFIG</c>
    /// (the local development cluster).
    /// </summary>
    public static IServiceCollection AddKubernetesClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IKubernetes>(sp =>
        {
            var kubeconfig = configuration["kubeconfig"] ?? configuration["KUBECONFIG"];
            var config = string.IsNullOrEmpty(kubeconfig) && KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubeconfigFile.Load(string.IsNullOrEmpty(kubeconfig) ? null : kubeconfig);
            // The manager has a Leadership (writes are the leader's); the DHCP agent has none and writes only its Events.
            return sp.GetService<Leadership>() is { } leadership
                ? new k8s.Kubernetes(config, new LeaderOnlyWrites(leadership))
                : new k8s.Kubernetes(config);
        });
        services.AddSingleton<EventRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<EventRecorder>());
        return services;
    }
}
