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
}
