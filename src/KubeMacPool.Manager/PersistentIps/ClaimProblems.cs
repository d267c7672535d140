using System.Collections.Concurrent;
using k8s.Models;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.PersistentIps;

/// <summary>
/// The claim controller's Warning Events: a problem of a VM/VMI key is said once per distinct message, not once per
/// reconcile (a key is looked at again on every change of its VM, VMI, claims or NADs).
/// </summary>
internal sealed partial class ClaimProblems(EventRecorder events, ILogger<ClaimProblems> logger)
{
    public const string Conflict = "IPAMClaimConflict";
    public const string InvalidNad = "InvalidNetworkAttachmentDefinition";
    public const string CreateFailed = "IPAMClaimCreateFailed";

    // Keys are reconciled by several workers (never one key by two at once).
    private readonly ConcurrentDictionary<string, string> _reported = new(StringComparer.Ordinal);

    /// <summary>A Warning Event on the object, unless the key's last one said the same; true when recorded.</summary>
    public bool Report(string key, string apiVersion, string kind, V1ObjectMeta metadata, string reason, string message)
    {
        if (_reported.TryGetValue(key, out var last) && last == message)
        {
            return false;
        }

        _reported[key] = message;
        LogProblem(logger, key, reason, message);
        events.Record(Target(apiVersion, kind, metadata), EventRecorder.Warning, reason, message);
        return true;
    }

    /// <summary>The key is fine again: a later problem, even the same one, is news.</summary>
    public void Clear(string key) => _reported.TryRemove(key, out _);

    /// <summary>A NAD whose config cannot be read is said on the NAD too, where its author looks.</summary>
    public void OnNadChanged(NetworkAttachmentDefinition nad)
    {
        if (NadNetworkConfig.Parse(nad.Spec?.Config).Error is { } invalid)
        {
            events.Record(Target(nad.ApiVersion, nad.Kind, nad.Metadata), EventRecorder.Warning, InvalidNad, invalid);
        }
    }

    /// <summary>Also on the VM (it outlives its VMIs): only when the VMI's Event was news.</summary>
    public void AlsoOnVm(VirtualMachine vm, string reason, string message) =>
        events.Record(Target(vm.ApiVersion, vm.Kind, vm.Metadata), EventRecorder.Warning, reason, message);

    private static EventTarget Target(string apiVersion, string kind, V1ObjectMeta metadata) =>
        new(apiVersion, kind, metadata.NamespaceProperty, metadata.Name, metadata.Uid);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "{Key}: {Reason}: {Message}")]
    private static partial void LogProblem(ILogger logger, string key, string reason, string message);
}
