using k8s;
using k8s.Models;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Pool.Controllers;

/// <summary>
/// Applies day-2 edits of <c>kubemacpool-mac-range-config</c> (range, duplicate policy, reserved MACs) without a
/// restart. An invalid edit changes nothing and is reported as a Warning Event on the manager pod; deleting the
/// ConfigMap keeps the running range. Without a <c>RESERVED_MACS</c> key KubeVirt's masquerade bridge MAC is
/// reserved; an empty value reserves nothing.
/// </summary>
internal sealed partial class RangeConfigMapController(
    MacPool pool, EventRecorder events, IOptions<ManagerOptions> options, ILogger<RangeConfigMapController> logger)
    : IResourceEventHandler<V1ConfigMap>
{
    public const string Name = WellKnown.RangeConfigMap;
    public const string InvalidReservedReason = "InvalidReservedMacs";

    public ValueTask OnListedAsync(IReadOnlyList<V1ConfigMap> items, CancellationToken cancellationToken)
    {
        if (items.Count > 0 && items[0] is { } configMap)
        {
            Apply(configMap);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, V1ConfigMap configMap, CancellationToken cancellationToken)
    {
        if (type != WatchEventType.Deleted)
        {
            Apply(configMap);
        }

        return ValueTask.CompletedTask;
    }

    private void Apply(V1ConfigMap configMap)
    {
        IDictionary<string, string> data = configMap.Data ?? new Dictionary<string, string>();
        if (DuplicatePolicies.TryParse(data.ValueOrNull("DUPLICATE_MACS"), out var policy, out var policyError))
        {
            pool.DuplicatePolicy = policy;
        }
        else
        {
            Warn("InvalidRange", "Invalid duplicate policy in ConfigMap, ignoring it: " + policyError);
        }

        ApplyReserved(data);
        var start = data.ValueOrNull("RANGE_START");
        var end = data.ValueOrNull("RANGE_END");
        var readError = start is null ? "RANGE_START not found in ConfigMap"
            : end is null ? "RANGE_END not found in ConfigMap"
            : !MacAddress.TryParse(start, out _, out var e1) ? $"invalid RANGE_START \"{start}\": {e1}"
            : !MacAddress.TryParse(end, out _, out var e2) ? $"invalid RANGE_END \"{end}\": {e2}"
            : null;
        if (readError is not null)
        {
            Warn("InvalidRange", "Invalid MAC range in ConfigMap, ignoring new range values: " + readError);
            return;
        }

        var current = pool.Range;
        if (MacAddress.Parse(start!) == current.Start && MacAddress.Parse(end!) == current.End)
        {
            return;
        }

        if (!MacRange.TryParse(start, end, out var range, out var error))
        {
            Warn("UpdateFailed", $"Failed to apply new MAC ranges {start} - {end}: {error}");
            return;
        }

        pool.ReplaceRange(range);
        var text = range.ToString();
        LogRangeChanged(logger, text);
    }

    private void ApplyReserved(IDictionary<string, string> data)
    {
        var text = data.TryGetValue(ReservedMacs.Key, out var value) ? value : ReservedMacs.KubeVirtDefaultText;
        if (!ReservedMacs.TryParse(text, out var reserved, out var error))
        {
            Warn(InvalidReservedReason, "Invalid reserved MACs in ConfigMap, keeping the previous list: " + error);
            return;
        }

        var current = pool.Reserved;
        if (current.ToString() == reserved.ToString())
        {
            return;
        }

        pool.Reserved = reserved;
        LogReservedChanged(logger, reserved.EntryCount, reserved.IntervalCount);
    }

    private void Warn(string reason, string message)
    {
        LogInvalid(logger, reason, message);
        var o = options.Value;
        var target = o.PodName is { Length: > 0 } pod
            ? new EventTarget("v1", "Pod", o.PodNamespace!, pod, null)
            : new EventTarget("v1", "ConfigMap", o.PodNamespace!, Name, null);
        events.Record(target, EventRecorder.Warning, reason, message, "configmap-controller");
    }

    [LoggerMessage(EventId = 730, Level = LogLevel.Information, Message = "MAC range changed to {Range}")]
    private static partial void LogRangeChanged(ILogger logger, string range);

    [LoggerMessage(EventId = 732, Level = LogLevel.Information, Message = "Reserved MACs changed: {Entries} entries, {Intervals} disjoint intervals")]
    private static partial void LogReservedChanged(ILogger logger, int entries, int intervals);

    [LoggerMessage(EventId = 731, Level = LogLevel.Warning, Message = "Range ConfigMap refused ({Reason}): {Message}")]
    private static partial void LogInvalid(ILogger logger, string reason, string message);
}
