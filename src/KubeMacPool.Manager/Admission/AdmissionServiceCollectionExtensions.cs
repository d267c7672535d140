namespace KubeMacPool.Manager.Admission;

internal static class AdmissionServiceCollectionExtensions
{
    /// <summary>What every webhook endpoint shares (features map their own with <c>MapAdmissionWebhook</c>).</summary>
    public static IServiceCollection AddAdmission(this IServiceCollection services)
    {
        services.AddSingleton<AdmissionRoutes>();
        services.AddSingleton<AdmissionTelemetry>();
        services.AddSingleton<AdmissionForwarder>();
        services.AddHostedService<AdmissionWarmUp>();
        return services;
    }

    /// <summary>
    /// Maps a webhook's path to its endpoint (the webhook is a singleton, resolved once): dispatched ahead of routing
    /// by <see cref="UseAdmissionRoutes"/>, and mapped as a route too.
    /// </summary>
    public static IEndpointConventionBuilder MapAdmissionWebhook<TWebhook>(this IEndpointRouteBuilder endpoints, string path)
        where TWebhook : IAdmissionWebhook
    {
        var endpoint = AdmissionEndpoint.For(endpoints.ServiceProvider.GetRequiredService<TWebhook>(), endpoints.ServiceProvider);
        endpoints.ServiceProvider.GetRequiredService<AdmissionRoutes>().Add(path, endpoint);
        return endpoints.MapPost(path, endpoint);
    }

    /// <summary>Webhook POSTs skip routing; call before <c>UseRouting</c>.</summary>
    public static IApplicationBuilder UseAdmissionRoutes(this IApplicationBuilder app) =>
        app.Use(app.ApplicationServices.GetRequiredService<AdmissionRoutes>().Middleware);
}
