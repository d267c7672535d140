using System.Text;
using KubeMacPool.Core.Collisions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KubeMacPool.Manager.Telemetry;

/// <summary>
/// A pull reader of the OpenTelemetry SDK: each scrape collects once and renders the result as Prometheus text.
/// The two upstream series are rendered from their sources instead (exact upstream form); their OpenTelemetry
/// instruments still feed OTLP when that exporter is on.
/// </summary>
internal sealed class ScrapeReader : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TextExporter _exporter = new();
    private readonly CollisionMap _collisions;
    private readonly ManagerMetrics _metrics;

    public ScrapeReader(CollisionMap collisions, ManagerMetrics metrics)
    {
        _collisions = collisions;
        _metrics = metrics;
        Reader = new BaseExportingMetricReader(_exporter);
    }

    public MetricReader Reader { get; }

    public string Scrape()
    {
        lock (_lock)
        {
            var text = new StringBuilder(4096);
            PrometheusText.WriteUpstream(text, _collisions.Snapshot(), _metrics.DuplicatesAtRebuild);
            _exporter.Target = text;
            try
            {
                Reader.Collect();
            }
            finally
            {
                _exporter.Target = null;
            }

            return text.ToString();
        }
    }

    public void Dispose() => Reader.Dispose();

    private sealed class TextExporter : BaseExporter<Metric>
    {
        public StringBuilder? Target { get; set; }

        public override ExportResult Export(in Batch<Metric> batch)
        {
            if (Target is not { } text)
            {
                return ExportResult.Success;
            }

            foreach (var metric in batch)
            {
                if (metric.Name is not (ManagerMetrics.Collisions or ManagerMetrics.DuplicateMacs))
                {
                    PrometheusText.WriteMetric(text, metric);
                }
            }

            return ExportResult.Success;
        }
    }
}
