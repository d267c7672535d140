using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Certificates;
using KubeMacPool.Manager.Collisions;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.HighAvailability;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.PersistentIps;
using KubeMacPool.Manager.Pool;
using KubeMacPool.Manager.StaticIps;
using KubeMacPool.Manager.Telemetry;

namespace KubeMacPool.Manager;

/// <summary>
/// The composition root of the manager mode: the shared plumbing, then each feature by its one <c>AddXxx</c>. The only
/// place that knows every feature; features know the plumbing and never each other.
/// </summary>
internal static class ManagerHost
{
    public static WebApplicationBuilder AddManager(this WebApplicationBuilder builder)
    {
        builder.Services.AddManagerOptions();
        builder.ConfigureManagerLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReadinessGate>();
        builder.Services.AddSingleton<Leadership>();
        builder.Services.AddKubernetesClient(builder.Configuration);
        builder.Services.AddAdmission();
        builder.AddTelemetry();
        builder.ConfigureWebhookServer();

        builder.Services.AddMacPool();
        builder.Services.AddWebhookCertificates(builder.Configuration);
        builder.Services.AddStaticIps();
        builder.Services.AddPersistentIps(builder.Configuration);
        builder.Services.AddCollisionDetection();
        builder.Services.AddHighAvailability();
        return builder;
    }

    public static WebApplication MapManagerEndpoints(this WebApplication app)
    {
        app.MapMetricsEndpoint();

        // Webhook reviews are dispatched ahead of routing; health and everything else is routed.
        app.UseAdmissionRoutes();
        app.UseRouting();
        app.MapHealthEndpoints();
        app.MapMacPoolWebhooks();
        app.MapStaticIpsWebhooks();
        app.MapPersistentIpsWebhooks();
        return app;
    }
}
