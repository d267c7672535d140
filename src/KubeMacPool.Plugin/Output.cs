using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KubeMacPool.Plugin;

/// <summary>The status answer: the published figures, and whether they are fresh.</summary>
internal sealed record StatusView(
    string RangeStart, string RangeEnd, ulong Size, long Held, long Pending, ulong Free, ulong Reserved, int ReservedEntries,
    int Collisions, bool Ready, string NotReadyReason, string Publisher, int Replicas, DateTimeOffset Updated, bool Stale);

/// <summary>Tables for people, JSON and YAML (camelCase, the same fields) for scripts.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly ISerializer Yaml = new SerializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();

    public static string Render(object result, OutputFormat format) => format switch
    {
        OutputFormat.Json => JsonSerializer.Serialize(result, result.GetType(), Json) + "\n",
        OutputFormat.Yaml => Yaml.Serialize(result),
        _ => Table(result),
    };

    private static string Table(object result) => result switch
    {
        StatusView s => Rows(
            ["RANGE", "SIZE", "HELD", "PENDING", "FREE", "RESERVED", "COLLISIONS", "READY", "REPLICAS"],
            [[$"{s.RangeStart}-{s.RangeEnd}", N(s.Size), N(s.Held), N(s.Pending), N(s.Free), $"{N(s.Reserved)} ({N(s.ReservedEntries)} entries)",
              N(s.Collisions), s.Ready ? "True" : "False", N(s.Replicas)]],
            [.. Line(!s.Ready, "not ready: " + s.NotReadyReason), .. Line(s.Stale, $"stale: last published {s.Updated:u} by {s.Publisher}")]),
        WhoHasResult w => w.Holders.Count == 0
            ? Rows([], [], [$"nobody you can see holds {w.Mac}", .. w.Notes])
            : Rows(["KIND", "NAMESPACE", "NAME", "INTERFACE", "MAC"], [.. w.Holders.Select(h => new[] { h.Kind, h.Namespace, h.Name, h.Interface, h.Mac })], w.Notes),
        CheckRangeResult c => Rows(
            ["MAC", "HELD BY"],
            [.. c.Macs.Select(m => new[] { m.Mac, string.Join(", ", m.Holders.Select(Describe)) })],
            [$"range {c.RangeStart}-{c.RangeEnd} ({c.Size} addresses): {N(c.Outside)} of {N(c.HeldMacs)} held MACs would be outside", .. c.Notes]),
        CollisionsResult c => c.Collisions.Count == 0
            ? Rows([], [], ["no collisions among the running objects you can see", .. c.Notes])
            : Rows(["MAC", "OBJECTS"], [.. c.Collisions.Select(e => new[] { e.Mac, string.Join(", ", e.Objects) })], c.Notes),
        _ => result.ToString() + "\n",
    };

    private static string Describe(Holding h) => $"{h.Kind.ToLowerInvariant()}/{h.Namespace}/{h.Name}[{h.Interface}]";

    private static string N<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static IEnumerable<string> Line(bool when, string text) => when ? [text] : [];

    private static string Rows(string[] header, IReadOnlyList<string[]> rows, IEnumerable<string> footer)
    {
        var text = new StringBuilder();
        if (header.Length > 0 && rows.Count > 0)
        {
            var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
            foreach (var row in rows.Prepend(header))
            {
                text.AppendLine(string.Join("   ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
            }
        }

        foreach (var line in footer)
        {
            text.Append("# ").AppendLine(line);
        }

        return text.ToString();
    }
}
