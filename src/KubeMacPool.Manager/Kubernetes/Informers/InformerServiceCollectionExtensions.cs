using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers.Packing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KubeMacPool.Manager.Kubernetes.Informers;

internal static class InformerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the informer of <typeparamref name="T"/> (once: a second call for the same kind is a no-op, so each
    /// feature may ask for what it uses) and the host that runs every informer. Consumers take
    /// <see cref="Informer{T}"/> by constructor injection. The kinds the service follows, with their trims, are in
    /// <see cref="ClusterInformers"/>.
    /// </summary>
    public static IServiceCollection AddInformer<T>(
        this IServiceCollection services,
        Func<IServiceProvider, IResourceClient<T>> source,
        Func<T, T>? trim = null,
        bool requiresKubeVirt = false,
        bool secondary = false,
        IObjectPacker<T>? packer = null)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        if (services.Any(d => d.ServiceType == typeof(Informer<T>)))
        {
            return services;
        }

        services.AddSingleton(sp => new Informer<T>(
            source(sp), trim, requiresKubeVirt, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>(), packer)
        {
            Secondary = secondary,
        });
        services.AddSingleton<IInformer>(sp => sp.GetRequiredService<Informer<T>>());
        services.TryAddSingleton<KubeVirtDiscovery>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InformerHost>());
        return services;
    }
}
