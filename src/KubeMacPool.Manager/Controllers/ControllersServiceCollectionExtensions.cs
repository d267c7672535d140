using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Controllers;

internal static class ControllersServiceCollectionExtensions
{
    /// <summary>The watches that keep the pool in step with the cluster, and the startup rebuild that gates readiness.</summary>
    public static IServiceCollection AddPoolControllers(this IServiceCollection services)
    {
        services.AddNamespaceInformer();
        services.AddMutatingWebhookInformer();
        services.AddRangeConfigMapInformer();
        services.AddVirtualMachineInformer();
        services.AddPodInformer();
        services.AddSingleton<ManagedNamespaces>();
        services.AddSingleton<LegacyFinalizerRemover>();
        services.AddSingleton<VirtualMachineController>();
        services.AddSingleton<PodController>();
        services.AddSingleton<RangeConfigMapController>();
        services.AddSingleton<HealLoop>();
        services.AddHostedService<ClusterSync>();
        return services;
    }
}
