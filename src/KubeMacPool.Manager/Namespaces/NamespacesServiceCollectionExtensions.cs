using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Namespaces;

internal static class NamespacesServiceCollectionExtensions
{
    /// <summary>Which namespaces each webhook manages, kept from the namespace and <c>kubemacpool-mutator</c> informers.</summary>
    public static IServiceCollection AddManagedNamespaces(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ManagedNamespaces)))
        {
            return services;
        }

        services.AddNamespaceInformer();
        services.AddMutatingWebhookInformer();
        services.AddSingleton<ManagedNamespaces>();
        services.AddHostedService<ManagedNamespacesFeeder>();
        return services;
    }

    /// <summary>Subscribes the one <see cref="ManagedNamespaces"/> to its two informers.</summary>
    private sealed class ManagedNamespacesFeeder(
        ManagedNamespaces namespaces, Informer<V1Namespace> namespaceInformer, Informer<V1MutatingWebhookConfiguration> webhookInformer)
        : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await namespaceInformer.SubscribeAsync(namespaces, stoppingToken);
            await webhookInformer.SubscribeAsync(namespaces, stoppingToken);
        }
    }
}
