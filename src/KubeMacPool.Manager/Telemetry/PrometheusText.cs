using System.Globalization;
using System.Text;
using KubeMacPool.Core.Addressing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KubeMacPool.Manager.Telemetry;

/// <summary>
/// Prometheus text exposition (format 0.0.4) as Go's client library prints it: no timestamps, no unit or
/// <c>_total</c> suffixes added, no scope or resource labels. The OpenTelemetry Prometheus exporter adds all of
/// those, and upstream's scrapers and alert expect <c>kmp_mac_collisions{mac="..."} 2</c> exactly.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The two upstream series, written from their sources (the gauge family is absent when empty).</summary>
    public static void WriteUpstream(StringBuilder text, IReadOnlyList<(MacAddress Mac, int Objects)> collisions, long duplicates)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(collisions);
        if (collisions.Count > 0)
        {
            Header(text, ManagerMetrics.Collisions, "Number of running objects sharing a MAC address (only MACs that collide)", "gauge");
            foreach (var (mac, objects) in collisions)
            {
                text.Append(ManagerMetrics.Collisions).Append("{mac=\"").Append(mac.ToString()).Append("\"} ")
                    .Append(objects.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        Header(text, ManagerMetrics.DuplicateMacs, "[DEPRECATED] Total count of duplicate KubeMacPool MAC addresses", "counter");
        text.Append(ManagerMetrics.DuplicateMacs).Append(' ').Append(duplicates.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>One OpenTelemetry metric stream (our own series): gauges, counters and histograms.</summary>
    public static void WriteMetric(StringBuilder text, Metric metric)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(metric);
        var type = metric.MetricType switch
        {
            MetricType.LongGauge or MetricType.DoubleGauge => "gauge",
            MetricType.LongSum or MetricType.DoubleSum => "counter",
            MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic => "gauge",
            MetricType.Histogram => "histogram",
            _ => null,
        };
        if (type is null)
        {
            return;
        }

        var wroteHeader = false;
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            if (!wroteHeader)
            {
                Header(text, metric.Name, metric.Description, type);
                wroteHeader = true;
            }

            var labels = Labels(point.Tags);
            switch (metric.MetricType)
            {
                case MetricType.LongGauge:
                    Sample(text, metric.Name, labels, null, Number(point.GetGaugeLastValueLong()));
                    break;
                case MetricType.DoubleGauge:
                    Sample(text, metric.Name, labels, null, Number(point.GetGaugeLastValueDouble()));
                    break;
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    Sample(text, metric.Name, labels, null, Number(point.GetSumLong()));
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    Sample(text, metric.Name, labels, null, Number(point.GetSumDouble()));
                    break;
                default:
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        var le = double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : Number(bucket.ExplicitBound);
                        Sample(text, metric.Name + "_bucket", labels, le, Number(cumulative));
                    }

                    Sample(text, metric.Name + "_sum", labels, null, Number(point.GetHistogramSum()));
                    Sample(text, metric.Name + "_count", labels, null, Number(point.GetHistogramCount()));
                    break;
            }
        }
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shortest round-trip form; integers without a decimal point, as Go's <c>strconv.FormatFloat(v, 'g', -1)</c> mostly does.</summary>
    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static void Header(StringBuilder text, string name, string? help, string type)
    {
        if (!string.IsNullOrEmpty(help))
        {
            text.Append("# HELP ").Append(name).Append(' ')
                .Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        }

        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    private static List<(string Key, string Value)> Labels(ReadOnlyTagCollection tags)
    {
        var labels = new List<(string, string)>(tags.Count);
        foreach (var tag in tags)
        {
            labels.Add((tag.Key, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        }

        labels.Sort(static (a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return labels;
    }

    private static void Sample(StringBuilder text, string name, List<(string Key, string Value)> labels, string? le, string value)
    {
        text.Append(name);
        if (labels.Count > 0 || le is not null)
        {
            text.Append('{');
            var first = true;
            foreach (var (key, label) in labels)
            {
                text.Append(first ? "" : ",").Append(key).Append("=\"").Append(EscapeLabelValue(label)).Append('"');
                first = false;
            }

            if (le is not null)
            {
                text.Append(first ? "" : ",").Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(value).Append('\n');
    }
}
