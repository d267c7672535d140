namespace KubeMacPool.Manager.Admission;

internal static class AdmissionServiceCollectionExtensions
{
    /// <summary>What every webhook endpoint shares (features map their own with <c>MapAdmissionWebhook</c>).</summary>
    public static IServiceCollection AddAdmission(this IServiceCollection services)
    {
        services.AddSingleton<AdmissionTelemetry>();
        services.AddSingleton<AdmissionForwarder>();
        services.AddHostedService<AdmissionWarmUp>();
        return services;
    }

    /// <summary>Maps a webhook's path to its endpoint (the webhook is a singleton, resolved once).</summary>
    public static IEndpointConventionBuilder MapAdmissionWebhook<TWebhook>(this IEndpointRouteBuilder endpoints, string path)
        where TWebhook : IAdmissionWebhook =>
        endpoints.MapPost(path, AdmissionEndpoint.For(endpoints.ServiceProvider.GetRequiredService<TWebhook>(), endpoints.ServiceProvider));
}
