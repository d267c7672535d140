using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Controllers;

internal static class ControllersServiceCollectionExtensions
{
    /// <summary>The watches that keep the pool in step with the cluster, and the startup rebuild that gates readiness.</summary>
    public static IServiceCollection AddPoolControllers(this IServiceCollection services)
    {
        services.AddSingleton<ManagedNamespaces>();
        services.AddSingleton<KnownVirtualMachines>();
        services.AddSingleton<KubeVirtDiscovery>();
        services.AddSingleton<LegacyFinalizerRemover>();
        services.AddSingleton<VirtualMachineController>();
        services.AddSingleton<PodController>();
        services.AddSingleton<RangeConfigMapController>();
        services.AddSingleton<HealLoop>();
        services.AddHostedService<ClusterSync>();
        return services;
    }
}
