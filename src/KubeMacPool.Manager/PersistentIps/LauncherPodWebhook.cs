using System.Text.Json;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Core.Networks;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.PersistentIps;

/// <summary>
/// <c>/mutate-launcher-pods</c> (objectSelector <c>kubevirt.io=virt-launcher</c>): points a VM's launcher pod at its
/// IPAMClaims, so the IPAM plugin gives every new pod of the VM (restart, migration target) the same IPs; on a primary
/// user-defined network it also hands the pool's MAC to Multus' default network. Reads the VMI and NAD caches only:
/// no API calls, no side effects, dry runs included.
/// </summary>
internal sealed partial class LauncherPodWebhook(
    Informer<VirtualMachineInstance> instances,
    Informer<NetworkAttachmentDefinition> nads,
    IOptions<IpamOptions> options,
    TimeProvider time,
    ILogger<LauncherPodWebhook> logger) : IAdmissionWebhook
{
    /// <summary>The VMI may reach the cache a moment after KubeVirt made its pod: wait that long before refusing.</summary>
    private static readonly TimeSpan VmiWait = TimeSpan.FromSeconds(2);

    /// <summary>How long the first launcher pods after a start wait for the NAD informer's first list.</summary>
    private static readonly TimeSpan NadListWait = TimeSpan.FromSeconds(2);

    // Shared by every admission and awaited by each: pods admitted before the first NAD list would look as if their
    // namespace had no NADs (no claim reference, so a new IP). Without the Multus CRD the list never comes: the first
    // launcher pods wait up to NadListWait, once per process, and from then on pods are admitted as if there were no NADs.
    private readonly Lazy<Task> _nadsListed = new(() => WaitForFirstListAsync(nads.Synced, time, logger));

    public string Name => WellKnown.LauncherPodsWebhook;

    public async ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var metadata = JsonNav.Child(request.Object, "metadata");
        var ns = JsonNav.Text(JsonNav.Child(metadata, "namespace")) ?? request.Namespace ?? "";
        var podName = JsonNav.Text(JsonNav.Child(metadata, "name")) ?? JsonNav.Text(JsonNav.Child(metadata, "generateName")) ?? request.Name;
        var annotations = StringMap(JsonNav.Child(metadata, "annotations"));
        var pod = LauncherPod.Read(annotations, ns);
        if (pod.VmiName is null || pod.Error is not null)
        {
            return ToResult(LauncherPodMutation.Precheck(pod, null)!, null);
        }

        await _nadsListed.Value.WaitAsync(cancellationToken);
        var primary = nads.Cache.PrimaryOf(ns);
        if (LauncherPodMutation.Precheck(pod, primary) is { } early)
        {
            return ToResult(early, null);
        }

        var vmi = await instances.Cache.WaitForAsync(ObjectCache<VirtualMachineInstance>.KeyOf(ns, pod.VmiName), VmiWait, time, cancellationToken);
        if (vmi is null)
        {
            LogVmiMissing(logger, ns, pod.VmiName);
            return ToResult(LauncherPodMutation.VmiNotFound(ns, podName, $"virtualmachineinstances.kubevirt.io \"{pod.VmiName}\" not found"), null);
        }

        var lookups = pod.Elements.Select(e => new NadReference(e.Namespace, e.Name)).Distinct().ToDictionary(r => r, LookupNad);

        var decision = LauncherPodMutation.Decide(
            pod,
            annotations,
            request.Operation == "CREATE",
            new LauncherVmi(pod.VmiName, ns, VmiSpec.Read(vmi.Spec), vmi.Metadata.Annotations.ValueOrNull(IpRequests.AddressesAnnotation)),
            r => lookups.GetValueOrDefault(r) ?? NadLookup.Missing,
            primary,
            options.Value.DefaultNetworkNadNamespace);
        if (decision.Annotations.Count > 0)
        {
            var keys = string.Join(", ", decision.Annotations.Keys);
            LogMutated(logger, ns, podName, pod.VmiName, keys);
        }

        return ToResult(decision, request.Object);
    }

    private static AdmissionResult ToResult(LauncherPodDecision decision, JsonElement? pod)
    {
        if (!decision.Allowed)
        {
            return AdmissionResult.Deny(decision.Message ?? "denied", decision.Code);
        }

        if (decision.Annotations.Count == 0 || pod is null)
        {
            return AdmissionResult.Allow(message: decision.Message);
        }

        var patch = new JsonPatch();
        foreach (var (key, value) in decision.Annotations)
        {
            patch.SetAnnotation(pod.Value, key, value);
        }

        return AdmissionResult.Allow(patch);
    }

    private NadLookup LookupNad(NadReference reference)
    {
        var nad = nads.Cache.Lookup(reference);
        if (!nad.Exists)
        {
            LogNadMissing(logger, reference.ToString());
        }

        return nad;
    }

    private static async Task WaitForFirstListAsync(Task listed, TimeProvider time, ILogger logger)
    {
        try
        {
            await listed.WaitAsync(NadListWait, time);
        }
        catch (TimeoutException)
        {
            LogNadsNotListed(logger, NadListWait.TotalSeconds);
        }
    }

    private static Dictionary<string, string> StringMap(JsonElement? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var property in obj.EnumerateObject())
            {
                if (JsonNav.Text(property.Value) is { } text)
                {
                    map[property.Name] = text;
                }
            }
        }

        return map;
    }

    [LoggerMessage(EventId = 1420, Level = LogLevel.Information, Message = "Launcher pod {Namespace}/{Pod} of VMI {Vmi}: set {Annotations}")]
    private static partial void LogMutated(ILogger logger, string @namespace, string? pod, string vmi, string annotations);

    [LoggerMessage(EventId = 1421, Level = LogLevel.Warning, Message = "Launcher pod of VMI {Namespace}/{Vmi}: the VMI is not visible; refusing so KubeVirt retries")]
    private static partial void LogVmiMissing(ILogger logger, string @namespace, string vmi);

    [LoggerMessage(EventId = 1422, Level = LogLevel.Warning, Message = "NetworkAttachmentDefinition {Nad} does not exist: the pod will not start until it does; no claim reference added")]
    private static partial void LogNadMissing(ILogger logger, string nad);

    [LoggerMessage(EventId = 1423, Level = LogLevel.Warning, Message = "NetworkAttachmentDefinitions not listed after {Seconds} s (no Multus CRD?): launcher pods are admitted as if no NAD existed until they are")]
    private static partial void LogNadsNotListed(ILogger logger, double seconds);
}
