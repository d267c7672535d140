namespace KubeMacPool.Manager.HighAvailability;

internal static class HighAvailabilityServiceCollectionExtensions
{
    /// <summary>
    /// N replicas, one leader: the election on the Lease, the takeover of the pool, the leader metrics and Event, and
    /// the SIGTERM handover. Who leads is published through <c>Leadership</c> (plumbing), which the admission path and
    /// every write path consult.
    /// </summary>
    public static IServiceCollection AddHighAvailability(this IServiceCollection services)
    {
        services.AddSingleton<Takeover>();
        services.AddSingleton<LeaderMetrics>();
        services.AddSingleton<LeaderElectionService>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElectionService>());
        return services;
    }
}
