using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.StaticIps.Agents;

namespace KubeMacPool.Manager.StaticIps;

internal static class StaticIpsServiceCollectionExtensions
{
    public const string IpPoolsPath = WellKnown.IpPoolsPath;
    public const string PinnedIpsPath = WellKnown.PinnedIpsPath;

    /// <summary>
    /// Static DHCP in the manager: the reservation controller, its two validating webhooks, and the controller that
    /// runs each pool's DHCP agent.
    /// </summary>
    public static IServiceCollection AddStaticIps(this IServiceCollection services)
    {
        services.AddIpPoolInformer();
        services.AddIpReservationInformer();
        services.AddVirtualMachineInformer();
        services.AddSingleton<IpamState>();
        services.AddSingleton<ReservationApi>();
        services.AddSingleton<ReservationCache>();
        services.AddSingleton<ReservationStatusWriter>();
        services.AddSingleton<PoolStatusWriter>();
        services.AddSingleton<VirtualMachineReservations>();
        services.AddSingleton<ReservationReconciler>();
        services.AddSingleton<IpPoolWebhook>();
        services.AddSingleton<VirtualMachinePinnedIpWebhook>();
        services.AddHostedService<ReservationController>();

        services.AddDeploymentInformer();
        services.AddNetworkAttachmentDefinitionInformer();
        services.AddSingleton<AgentStatusWriter>();
        services.AddSingleton<AgentReconciler>();
        services.AddHostedService<AgentController>();
        return services;
    }

    public static IEndpointRouteBuilder MapStaticIpsWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdmissionWebhook<IpPoolWebhook>(IpPoolsPath);
        endpoints.MapAdmissionWebhook<VirtualMachinePinnedIpWebhook>(PinnedIpsPath);
        return endpoints;
    }
}
