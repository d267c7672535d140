using System.Text;
using System.Text.Json;
using KubeMacPool.Core.Networks;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Pool.Webhooks;

/// <summary>
/// <c>/mutate-pods</c>: gives every Multus network of a new pod a MAC (the JSON list form of
/// <c>k8s.v1.cni.cncf.io/networks</c>), registering the ones the user chose. The annotation is rewritten with the
/// user's own fields kept, through one targeted patch op.
/// </summary>
internal sealed partial class PodWebhook(
    MacPool pool, Informer<VirtualMachine> virtualMachines, TimeProvider time, ILogger<PodWebhook> logger) : IAdmissionWebhook
{
    /// <summary>Pods created with generateName have no name at admission: their MACs wait under a temporary owner.</summary>
    public const string TemporaryOwnerPrefix = "~";

    public string Name => WellKnown.PodsWebhook;

    // The annotation keys every review looks up, as UTF-8: no transcoding of the key per lookup.
    private static readonly byte[] NetworksAnnotationUtf8 = Encoding.UTF8.GetBytes(WellKnown.NetworksAnnotation);
    private static readonly byte[] NetworkStatusAnnotationUtf8 = Encoding.UTF8.GetBytes(WellKnown.NetworkStatusAnnotation);

    public ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var pod = request.Object!.Value;
        var metadata = JsonNav.Child(pod, "metadata"u8) is { ValueKind: JsonValueKind.Object } m ? m : (JsonElement?)null;
        var annotations = JsonNav.Child(metadata, "annotations"u8);
        if (JsonNav.Child(annotations, NetworksAnnotationUtf8) is not { } networks
            || annotations!.Value.TryGetProperty(NetworkStatusAnnotationUtf8, out _))
        {
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        // GetString throws on a value that is not a string, as the node tree did: a garbled object is an internal error.
        var @namespace = JsonNav.Child(metadata, "namespace"u8)?.GetString() ?? request.Namespace ?? "";
        var parsed = NetworkSelectionAnnotation.Parse(JsonNav.Text(networks) ?? "", @namespace);
        switch (parsed.Form)
        {
            case NetworkAnnotationForm.Invalid:
                return ValueTask.FromResult(AdmissionResult.Deny(parsed.Error!));
            case NetworkAnnotationForm.CommaForm:
                var podName = NodeText(JsonNav.Child(metadata, "name"));
                LogCommaForm(logger, @namespace, podName);
                return ValueTask.FromResult(AdmissionResult.Allow());
            case NetworkAnnotationForm.Absent:
                return ValueTask.FromResult(AdmissionResult.Allow());
        }

        if (parsed.Elements.Count == 0 || IsLauncherOfVirtualMachine(metadata, @namespace))
        {
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        var name = JsonNav.Child(metadata, "name"u8)?.GetString() is { Length: > 0 } n ? n : TemporaryOwnerPrefix + request.Uid;
        var owner = MacOwner.Pod(@namespace, name);
        // Plain loops: this is the pod admission's hot path (the LINQ here was 1 % of the manager's CPU under load).
        var elements = parsed.Elements;
        var requested = new string?[elements.Count];
        var requests = new MacRequest[elements.Count];
        for (var i = 0; i < elements.Count; i++)
        {
            requested[i] = elements[i].Mac;
            requests[i] = requested[i] is { } mac ? MacRequest.Requested(elements[i].InterfaceKey, mac) : MacRequest.Allocate(elements[i].InterfaceKey);
        }

        var stamp = TransactionTimestamp.Now(time);
        var result = pool.Reserve(owner, requests, request.IsDryRun ? null : stamp.Value, request.IsDryRun);
        if (!result.Succeeded)
        {
            return ValueTask.FromResult(AdmissionResult.Deny(result.Error!));
        }

        // Each element without a MAC takes, in order, the first allocation for its network not taken yet.
        var taken = new bool[result.Assignments.Count];
        for (var i = 0; i < elements.Count; i++)
        {
            if (requested[i] is null)
            {
                var a = FirstAllocated(result.Assignments, taken, elements[i].InterfaceKey);
                taken[a] = true;
                elements[i].Mac = result.Assignments[a].Mac.ToString();
            }
        }

        var patch = new JsonPatch().SetAnnotation(pod, WellKnown.NetworksAnnotation, NetworkSelectionAnnotation.Serialize(parsed.Elements));
        return ValueTask.FromResult(AdmissionResult.Allow(patch));
    }

    private static int FirstAllocated(IReadOnlyList<MacAssignment> assignments, bool[] taken, string interfaceKey)
    {
        for (var a = 0; a < assignments.Count; a++)
        {
            if (!taken[a] && assignments[a].Allocated && assignments[a].InterfaceKey == interfaceKey)
            {
                return a;
            }
        }

        throw new InvalidOperationException("no allocation for " + interfaceKey); // the pool answers every allocation asked
    }

    /// <summary>A virt-launcher pod of a VM: the VM webhook owns those MACs. A VMI without a VM is handled here.</summary>
    private bool IsLauncherOfVirtualMachine(JsonElement? metadata, string @namespace)
    {
        if (JsonNav.Child(metadata, "ownerReferences") is not { ValueKind: JsonValueKind.Array } owners)
        {
            return false;
        }

        foreach (var owner in owners.EnumerateArray())
        {
            if (NodeText(JsonNav.Child(owner, "kind")) == "VirtualMachineInstance"
                && NodeText(JsonNav.Child(owner, "name")) is { } vmi
                && virtualMachines.Cache.Contains(@namespace, vmi))
            {
                return true;
            }
        }

        return false;
    }

    // A value as the node tree's ToString gave it: a string's text, anything else as JSON.
    private static string? NodeText(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.String } text ? text.GetString() : value?.GetRawText();

    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "Pod {Namespace}/{Name}: only the JSON list form of the networks annotation is given MACs; the comma form is left as it is")]
    private static partial void LogCommaForm(ILogger logger, string @namespace, string? name);
}
