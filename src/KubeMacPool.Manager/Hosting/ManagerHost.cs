using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Certificates;
using KubeMacPool.Manager.Collisions;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Controllers;
using KubeMacPool.Manager.Dhcp;
using KubeMacPool.Manager.Ipam;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Pool;
using KubeMacPool.Manager.Telemetry;
using Microsoft.Extensions.Logging.Console;

namespace KubeMacPool.Manager.Hosting;

internal static class ManagerHost
{
    /// <summary>Everything the manager mode runs: options, client, pool, webhooks, controllers, certificates.</summary>
    public static WebApplicationBuilder AddManager(this WebApplicationBuilder builder)
    {
        builder.Services.AddManagerOptions();
        builder.ConfigureLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReadinessGate>();
        builder.Services.AddKubernetesClient(builder.Configuration);
        builder.Services.AddMacPool();
        builder.Services.AddAdmissionWebhooks();
        builder.Services.AddPoolControllers();
        builder.Services.AddWebhookCertificates(builder.Configuration);
        builder.Services.AddDhcpReservations();
        builder.Services.AddPersistentIps(builder.Configuration);
        builder.Services.AddCollisionDetection();
        builder.AddTelemetry();
        builder.ConfigureWebhookServer();
        return builder;
    }

    public static WebApplication MapManagerEndpoints(this WebApplication app)
    {
        app.MapMetricsEndpoint();
        app.MapHealthEndpoints();
        app.MapAdmissionWebhooks();
        app.MapDhcpWebhooks();
        app.MapIpamWebhooks();
        return app;
    }

    /// <summary>
    /// <c>--v=production</c>: JSON lines at Information (as upstream's zap production mode); anything else: readable
    /// lines at Debug.
    /// </summary>
    private static void ConfigureLogging(this WebApplicationBuilder builder)
    {
        var debug = !string.Equals(builder.Configuration["v"] ?? "production", "production", StringComparison.Ordinal);
        builder.Logging.ClearProviders();
        if (debug)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Information);
        }
        else
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.Logging.AddFilter<ConsoleLoggerProvider>("System.Net.Http.HttpClient", LogLevel.Warning);
    }
}
