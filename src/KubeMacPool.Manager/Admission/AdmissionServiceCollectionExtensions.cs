namespace KubeMacPool.Manager.Admission;

internal static class AdmissionServiceCollectionExtensions
{
    public const string PodsPath = WellKnown.PodsPath;
    public const string VirtualMachinesPath = WellKnown.VirtualMachinesPath;

    public static IServiceCollection AddAdmissionWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<AdmissionTelemetry>();
        services.AddSingleton<PodWebhook>();
        services.AddSingleton<VirtualMachineWebhook>();
        return services;
    }

    public static IEndpointRouteBuilder MapAdmissionWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdmissionWebhook<PodWebhook>(PodsPath);
        endpoints.MapAdmissionWebhook<VirtualMachineWebhook>(VirtualMachinesPath);
        return endpoints;
    }
}
