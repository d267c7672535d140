using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KubeMacPool.Manager.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // ASP.NET Core's per-request ActivitySource.
    private const string HostingActivitySource = "Microsoft.AspNetCore";

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
                    .AddView(FixedSeriesLimit)
                    .AddReader(sp => sp.GetRequiredService<ScrapeReader>().Reader);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            // The hosting layer's request activity carries the caller's traceparent; with its logger off
            // (ManagerLogging) it starts one only for a listener, so tracing listens to it too.
            telemetry.WithTracing(tracing => tracing
                .AddSource(ManagerMetrics.AdmissionActivitySource, HostingActivitySource)
                .AddOtlpExporter());
        }

        // The instruments observe the pool from the first collection on; create them with the host.
        services.AddHostedService<MetricsActivator>();
        builder.ConfigureMetricsListener();
        return builder;
    }

    /// <summary>
    /// Every instrument but the collisions gauge (one series per colliding MAC) has a few fixed series (webhook ×
    /// reason at most). OpenTelemetry sizes each stream for its limit up front: 2,000 series by default, ~144 KB per
    /// instrument, against ~10 KB for 128.
    /// </summary>
    private static MetricStreamConfiguration? FixedSeriesLimit(Instrument instrument) =>
        instrument.Meter.Name == ManagerMetrics.MeterName && instrument.Name != ManagerMetrics.Collisions
            ? new MetricStreamConfiguration { CardinalityLimit = 128 }
            : null;

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
