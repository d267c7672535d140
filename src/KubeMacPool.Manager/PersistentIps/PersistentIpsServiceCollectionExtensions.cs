using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.PersistentIps;

internal static class PersistentIpsServiceCollectionExtensions
{
    public const string LauncherPodsPath = WellKnown.LauncherPodsPath;

    /// <summary>Persistent IPs for KubeVirt VMs: the IPAMClaim controller and the virt-launcher pod webhook.</summary>
    public static IServiceCollection AddPersistentIps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IpamOptions>().Configure(o =>
            o.DefaultNetworkNadNamespace = configuration["default-network-nad-namespace"] is { Length: > 0 } ns ? ns : o.DefaultNetworkNadNamespace);
        services.AddVirtualMachineInformer();
        services.AddVirtualMachineInstanceInformer();
        services.AddNetworkAttachmentDefinitionInformer();
        services.AddIpamClaimInformer();
        services.AddSingleton<ClaimApi>();
        services.AddSingleton<ClaimProblems>();
        services.AddSingleton<ClaimReconciler>();
        services.AddSingleton<LauncherPodWebhook>();
        services.AddHostedService<ClaimController>();
        return services;
    }

    public static IEndpointRouteBuilder MapPersistentIpsWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdmissionWebhook<LauncherPodWebhook>(LauncherPodsPath);
        return endpoints;
    }
}
