using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Pool.Controllers;

/// <summary>
/// After the startup rebuild: objects admitted before the unicast rule or a reservation that hold a group, all-zero
/// or reserved MAC get a Warning Event each. They keep the MAC (a running workload is never broken); the operator
/// learns which ones to fix.
/// </summary>
internal sealed partial class RuleBreakerReport(MacPool pool, EventRecorder events, ILogger<RuleBreakerReport> logger)
{
    public const string NonUnicastReason = "NonUnicastMacAddress";
    public const string ReservedReason = "ReservedMacAddressInUse";

    public void Report()
    {
        var reserved = pool.Reserved;
        foreach (var entry in pool.EntriesBreakingRules())
        {
            var (reason, message) = UnicastRule.NonUnicastKind(entry.Mac) is { } kind
                ? (NonUnicastReason, $"Interface {entry.InterfaceKey} has MAC {entry.Mac}, {kind}; only unicast MACs work with libvirt and new requests for it are refused")
                : (ReservedReason, $"Interface {entry.InterfaceKey} has MAC {entry.Mac}, reserved by {ReservedMacs.Key} entry \"{reserved.EntryOf(entry.Mac)}\"; it is kept, but not handed out again");
            var target = entry.Owner.IsVirtualMachine
                ? new EventTarget("kubevirt.io/v1", "VirtualMachine", entry.Owner.Namespace, entry.Owner.Name, null)
                : new EventTarget("v1", "Pod", entry.Owner.Namespace, entry.Owner.Name, null);
            events.Record(target, EventRecorder.Warning, reason, message);
            LogRuleBreaker(logger, entry.Owner.Key, entry.Mac.ToString(), reason);
        }
    }

    [LoggerMessage(EventId = 733, Level = LogLevel.Warning, Message = "{Owner} holds MAC {Mac} ({Reason}); kept, reported")]
    private static partial void LogRuleBreaker(ILogger logger, string owner, string mac, string reason);
}
