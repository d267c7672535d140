using System.Text.Json.Nodes;
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

    public ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var pod = request.Object!;
        var metadata = pod["metadata"] as JsonObject;
        var annotations = metadata?["annotations"] as JsonObject;
        var networks = annotations?[WellKnown.NetworksAnnotation];
        if (networks is null || annotations!.ContainsKey(WellKnown.NetworkStatusAnnotation))
        {
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        var @namespace = metadata?["namespace"]?.GetValue<string>() ?? request.Namespace ?? "";
        var parsed = NetworkSelectionAnnotation.Parse(networks.GetValueKind() == System.Text.Json.JsonValueKind.String ? networks.GetValue<string>() : "", @namespace);
        switch (parsed.Form)
        {
            case NetworkAnnotationForm.Invalid:
                return ValueTask.FromResult(AdmissionResult.Deny(parsed.Error!));
            case NetworkAnnotationForm.CommaForm:
                var podName = metadata?["name"]?.ToString();
                LogCommaForm(logger, @namespace, podName);
                return ValueTask.FromResult(AdmissionResult.Allow());
            case NetworkAnnotationForm.Absent:
                return ValueTask.FromResult(AdmissionResult.Allow());
        }

        if (parsed.Elements.Count == 0 || IsLauncherOfVirtualMachine(metadata, @namespace))
        {
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        var name = metadata?["name"]?.GetValue<string>() is { Length: > 0 } n ? n : TemporaryOwnerPrefix + request.Uid;
        var owner = MacOwner.Pod(@namespace, name);
        var requests = parsed.Elements
            .Select(e => e.Mac is null ? MacRequest.Allocate(e.InterfaceKey) : MacRequest.Requested(e.InterfaceKey, e.Mac))
            .ToList();
        var stamp = TransactionTimestamp.Now(time);
        var result = pool.Reserve(owner, requests, request.IsDryRun ? null : stamp.Value, request.IsDryRun);
        if (!result.Succeeded)
        {
            return ValueTask.FromResult(AdmissionResult.Deny(result.Error!));
        }

        var allocated = result.Assignments.Where(a => a.Allocated).ToList();
        foreach (var element in parsed.Elements.Where(e => e.Mac is null))
        {
            var assignment = allocated.First(a => a.InterfaceKey == element.InterfaceKey);
            allocated.Remove(assignment);
            element.Mac = assignment.Mac.ToString();
        }

        var patch = new JsonPatch().SetAnnotation(pod, WellKnown.NetworksAnnotation, NetworkSelectionAnnotation.Serialize(parsed.Elements));
        return ValueTask.FromResult(AdmissionResult.Allow(patch));
    }

    /// <summary>A virt-launcher pod of a VM: the VM webhook owns those MACs. A VMI without a VM is handled here.</summary>
    private bool IsLauncherOfVirtualMachine(JsonObject? metadata, string @namespace) =>
        metadata?["ownerReferences"] is JsonArray owners
        && owners.OfType<JsonObject>().Any(o =>
            o["kind"]?.ToString() == "VirtualMachineInstance"
            && o["name"]?.ToString() is { } vmi
            && virtualMachines.Cache.Get(@namespace, vmi) is not null);

    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "Pod {Namespace}/{Name}: only the JSON list form of the networks annotation is given MACs; the comma form is left as it is")]
    private static partial void LogCommaForm(ILogger logger, string @namespace, string? name);
}
