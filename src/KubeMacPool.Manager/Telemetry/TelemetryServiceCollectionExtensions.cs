using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KubeMacPool.Manager.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Meters and the <c>/metrics</c> listener (Prometheus text behind TokenReview + SubjectAccessReview); traces and
    /// metrics over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<MetricsOptions>, MetricsOptionsSetup>();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<ManagerMetrics>();
        services.AddSingleton<ScrapeReader>();
        services.AddSingleton<MetricsAuthorizer>();

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("kubemacpool"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ManagerMetrics.MeterName)
                    .AddReader(sp => sp.GetRequiredService<ScrapeReader>().Reader);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(ManagerMetrics.AdmissionActivitySource).AddOtlpExporter());
        }

        // The instruments observe the pool from the first collection on; create them with the host.
        services.AddHostedService<MetricsActivator>();
        builder.ConfigureMetricsListener();
        return builder;
    }

    /// <summary>Resolves <see cref="ManagerMetrics"/> at startup so its observable instruments exist before the first scrape.</summary>
    private sealed class MetricsActivator(ManagerMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
