using KubeMacPool.Manager.Admission;

namespace KubeMacPool.Manager.Dhcp;

internal static class DhcpServiceCollectionExtensions
{
    public const string IpPoolsPath = WellKnown.IpPoolsPath;
    public const string PinnedIpsPath = WellKnown.PinnedIpsPath;

    /// <summary>Static DHCP in the manager: the reservation controller and its two validating webhooks.</summary>
    public static IServiceCollection AddDhcpReservations(this IServiceCollection services)
    {
        services.AddSingleton<IpamState>();
        services.AddSingleton<ReservationApi>();
        services.AddSingleton<IpPoolWebhook>();
        services.AddSingleton<VirtualMachinePinnedIpWebhook>();
        services.AddHostedService<ReservationController>();
        return services;
    }

    public static IEndpointRouteBuilder MapDhcpWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdmissionWebhook<IpPoolWebhook>(IpPoolsPath);
        endpoints.MapAdmissionWebhook<VirtualMachinePinnedIpWebhook>(PinnedIpsPath);
        return endpoints;
    }
}
