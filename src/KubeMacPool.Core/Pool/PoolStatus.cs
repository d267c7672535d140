using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace KubeMacPool.Core.Pool;

/// <summary>
/// The pool-wide figures the service publishes in ConfigMap <see cref="ConfigMapName"/> (its namespace) for
/// operators and <c>kubectl macpool status</c>: anyone allowed to read that one ConfigMap sees the numbers, and
/// nothing about objects in namespaces they cannot list. The data is flat strings, readable with plain kubectl.
/// </summary>
public sealed record PoolStatus
{
    public const string ConfigMapName = "kubemacpool-pool-status";

    public required string RangeStart { get; init; }

    public required string RangeEnd { get; init; }

    public ulong Size { get; init; }

    public long Held { get; init; }

    public long Pending { get; init; }

    public ulong Free { get; init; }

    public ulong Reserved { get; init; }

    public int ReservedEntries { get; init; }

    public int Collisions { get; init; }

    public bool Ready { get; init; }

    /// <summary>Why the service is not ready (empty when ready).</summary>
    public string NotReadyReason { get; init; } = "";

    /// <summary>The pod that wrote this (the one serving; the leader once there are several).</summary>
    public string Publisher { get; init; } = "";

    public int Replicas { get; init; } = 1;

    public DateTimeOffset Updated { get; init; }

    public IDictionary<string, string> ToData() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["rangeStart"] = RangeStart,
        ["rangeEnd"] = RangeEnd,
        ["size"] = Text(Size),
        ["held"] = Text(Held),
        ["pending"] = Text(Pending),
        ["free"] = Text(Free),
        ["reserved"] = Text(Reserved),
        ["reservedEntries"] = Text(ReservedEntries),
        ["collisions"] = Text(Collisions),
        ["ready"] = Ready ? "true" : "false",
        ["notReadyReason"] = NotReadyReason,
        ["publisher"] = Publisher,
        ["replicas"] = Text(Replicas),
        ["updated"] = Updated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };

    /// <summary>Reads published data; a missing or garbled field is an error naming it (a status from another version).</summary>
    public static bool TryParse(IDictionary<string, string>? data, [NotNullWhen(true)] out PoolStatus? status, [NotNullWhen(false)] out string? error)
    {
        status = null;
        data ??= new Dictionary<string, string>();
        string? bad = null;
        string Get(string key)
        {
            if (data.TryGetValue(key, out var value))
            {
                return value;
            }

            bad ??= key;
            return "";
        }

        T Number<T>(string key)
            where T : IParsable<T>
        {
            var text = Get(key);
            if (T.TryParse(text, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            bad ??= key;
            return default!;
        }

        var parsed = new PoolStatus
        {
            RangeStart = Get("rangeStart"),
            RangeEnd = Get("rangeEnd"),
            Size = Number<ulong>("size"),
            Held = Number<long>("held"),
            Pending = Number<long>("pending"),
            Free = Number<ulong>("free"),
            Reserved = Number<ulong>("reserved"),
            ReservedEntries = Number<int>("reservedEntries"),
            Collisions = Number<int>("collisions"),
            Ready = Get("ready") == "true",
            NotReadyReason = Get("notReadyReason"),
            Publisher = Get("publisher"),
            Replicas = Number<int>("replicas"),
            Updated = Number<DateTimeOffset>("updated"),
        };
        if (bad is not null)
        {
            error = $"field \"{bad}\" missing or invalid";
            return false;
        }

        status = parsed;
        error = null;
        return true;
    }

    private static string Text<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
