using KubeMacPool.Core.Collisions;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Collisions;

internal static class CollisionsServiceCollectionExtensions
{
    /// <summary>MAC collision detection among running VMIs and pods: Events and the <c>kmp_mac_collisions</c> gauge.</summary>
    public static IServiceCollection AddCollisionDetection(this IServiceCollection services)
    {
        services.AddManagedNamespaces();
        services.AddPodInformer();
        services.AddVirtualMachineInstanceInformer();
        services.AddSingleton<CollisionMap>();
        services.AddSingleton<CollisionReporter>();
        services.AddSingleton<CollisionTrackers>();
        services.AddSingleton<VirtualMachineInstanceCollisionController>();
        services.AddSingleton<PodCollisionController>();
        services.AddHostedService<CollisionSync>();
        return services;
    }
}
