using k8s;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Kubernetes.Informers.Packing;
using KubeMacPool.Manager.Kubernetes.Models;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// The kinds the service follows, one informer each, with what its cache keeps. A feature asks for the informers
/// it reads (<c>services.AddPodInformer()</c>); asking twice is harmless. Trims keep only the fields some consumer
/// reads, so a cache of 100,000 pods or VMs stays small: a consumer that starts reading another field adds it here
/// (and, for pods and VMs, which the caches hold packed as bytes, to their packer).
/// Kinds the pool's readiness does not wait on are <c>secondary</c>: they start once the others are listed.
/// </summary>
internal static class ClusterInformers
{
    public static IServiceCollection AddNamespaceInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.Namespaces(Client(sp)), CacheTrims.Namespace);

    public static IServiceCollection AddPodInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.Pods(Client(sp)), CacheTrims.Pod, packer: PodPacker.Instance);

    public static IServiceCollection AddVirtualMachineInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.VirtualMachines(Client(sp)), CacheTrims.VirtualMachine, requiresKubeVirt: true, packer: VirtualMachinePacker.Instance);

    public static IServiceCollection AddVirtualMachineInstanceInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.VirtualMachineInstances(Client(sp)), CacheTrims.WithoutManagedFields, requiresKubeVirt: true, secondary: true);

    /// <summary><c>kubemacpool-mutator</c> only: the opt-mode selectors and the caBundle live there.</summary>
    public static IServiceCollection AddMutatingWebhookInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.MutatingWebhookConfiguration(Client(sp), WellKnown.MutatingWebhookConfiguration), CacheTrims.WithoutManagedFields);

    /// <summary><c>kubemacpool-validator</c> only.</summary>
    public static IServiceCollection AddValidatingWebhookInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.ValidatingWebhookConfiguration(Client(sp), WellKnown.ValidatingWebhookConfiguration), CacheTrims.WithoutManagedFields);

    /// <summary>The range ConfigMap only, in the service's namespace.</summary>
    public static IServiceCollection AddRangeConfigMapInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.ConfigMap(Client(sp), PodNamespace(sp), WellKnown.RangeConfigMap), CacheTrims.WithoutManagedFields);

    /// <summary>Secrets of the service's own namespace (the CA and serving Secrets; the Role allows no more).</summary>
    public static IServiceCollection AddSecretInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.Secrets(Client(sp), PodNamespace(sp)), CacheTrims.WithoutManagedFields);

    /// <summary>Deployments of the service's own namespace (the DHCP agents; the Role allows no more).</summary>
    public static IServiceCollection AddDeploymentInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.Deployments(Client(sp), PodNamespace(sp)), CacheTrims.Deployment, secondary: true);

    public static IServiceCollection AddNetworkAttachmentDefinitionInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.CustomObjects<NetworkAttachmentDefinition, NetworkAttachmentDefinitionList>(Client(sp)), CacheTrims.WithoutManagedFields, secondary: true);

    public static IServiceCollection AddIpamClaimInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.CustomObjects<IpamClaim, IpamClaimList>(Client(sp)), CacheTrims.WithoutManagedFields, secondary: true);

    /// <param name="services">The services.</param>
    /// <param name="name">Just this pool (a DHCP agent), or every pool (null).</param>
    public static IServiceCollection AddIpPoolInformer(this IServiceCollection services, Func<IServiceProvider, string?>? name = null) =>
        services.AddInformer(sp => ResourceClients.IpPools(Client(sp), name?.Invoke(sp)), CacheTrims.WithoutManagedFields, secondary: true);

    public static IServiceCollection AddIpReservationInformer(this IServiceCollection services) =>
        services.AddInformer(sp => ResourceClients.IpReservations(Client(sp)), CacheTrims.WithoutManagedFields, secondary: true);

    private static IKubernetes Client(IServiceProvider services) => services.GetRequiredService<IKubernetes>();

    private static string PodNamespace(IServiceProvider services) =>
        services.GetRequiredService<IOptions<ManagerOptions>>().Value.PodNamespace!;
}
