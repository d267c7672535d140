using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Models;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Ipam;

/// <summary>
/// <c>/mutate-launcher-pods</c> (objectSelector <c>kubevirt.io=virt-launcher</c>): points a VM's launcher pod at its
/// IPAMClaims, so the IPAM plugin gives every new pod of the VM (restart, migration target) the same IPs; on a primary
/// user-defined network it also hands the pool's MAC to Multus' default network. Reads only (VMI, NADs): no side
/// effects, dry runs included.
/// </summary>
internal sealed partial class LauncherPodWebhook(
    IKubernetes client, IOptions<IpamOptions> options, TimeProvider time, ILogger<LauncherPodWebhook> logger) : IAdmissionWebhook
{
    /// <summary>The VMI may not be visible yet right after KubeVirt created it: look a few more times before refusing.</summary>
    private const int VmiAttempts = 5;

    private static readonly TimeSpan VmiRetryDelay = TimeSpan.FromMilliseconds(500);

    public string Name => WellKnown.LauncherPodsWebhook;

    public async ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var metadata = request.Object!["metadata"] as JsonObject;
        var ns = Text(metadata?["namespace"]) ?? request.Namespace ?? "";
        var podName = Text(metadata?["name"]) ?? Text(metadata?["generateName"]) ?? request.Name;
        var annotations = StringMap(metadata?["annotations"]);
        var pod = LauncherPod.Read(annotations, ns);
        if (pod.VmiName is null || pod.Error is not null)
        {
            return ToResult(LauncherPodMutation.Precheck(pod, null)!, null);
        }

        var primary = await PrimaryAsync(ns, cancellationToken);
        if (LauncherPodMutation.Precheck(pod, primary) is { } early)
        {
            return ToResult(early, null);
        }

        var vmi = await GetVmiAsync(ns, pod.VmiName, cancellationToken);
        if (vmi.Instance is null)
        {
            LogVmiMissing(logger, ns, pod.VmiName);
            return ToResult(LauncherPodMutation.VmiNotFound(ns, podName, vmi.Error!), null);
        }

        var nads = new Dictionary<NadReference, NadLookup>();
        foreach (var reference in pod.Elements.Select(e => new NadReference(e.Namespace, e.Name)).Distinct())
        {
            nads[reference] = await GetNadAsync(reference, cancellationToken);
        }

        var decision = LauncherPodMutation.Decide(
            pod,
            annotations,
            request.Operation == "CREATE",
            new LauncherVmi(pod.VmiName, ns, VmiSpec.Read(vmi.Instance.Spec), vmi.Instance.Metadata.Annotations.ValueOrNull(IpRequests.AddressesAnnotation)),
            r => nads.GetValueOrDefault(r) ?? NadLookup.Missing,
            primary,
            options.Value.DefaultNetworkNadNamespace);
        if (decision.Annotations.Count > 0)
        {
            var keys = string.Join(", ", decision.Annotations.Keys);
            LogMutated(logger, ns, podName, pod.VmiName, keys);
        }

        return ToResult(decision, request.Object);
    }

    private static AdmissionResult ToResult(LauncherPodDecision decision, JsonObject? pod)
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
            patch.SetAnnotation(pod, key, value);
        }

        return AdmissionResult.Allow(patch);
    }

    private async Task<NadNetworkConfig?> PrimaryAsync(string ns, CancellationToken cancellationToken)
    {
        try
        {
            var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<NetworkAttachmentDefinitionList>(
                NetworkAttachmentDefinition.Group, NetworkAttachmentDefinition.Version, ns, NetworkAttachmentDefinition.Plural,
                cancellationToken: cancellationToken);
            return PrimaryNetwork.Find(list.Items.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).Select(n => n.Spec?.Config));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // No Multus CRD in the cluster: no NADs, so nothing is persistent; VMs must still start.
            return null;
        }
    }

    private async Task<NadLookup> GetNadAsync(NadReference reference, CancellationToken cancellationToken)
    {
        try
        {
            var nad = await client.CustomObjects.GetNamespacedCustomObjectAsync<NetworkAttachmentDefinition>(
                NetworkAttachmentDefinition.Group, NetworkAttachmentDefinition.Version, reference.Namespace,
                NetworkAttachmentDefinition.Plural, reference.Name, cancellationToken);
            return NadLookup.Of(nad.Spec?.Config);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            LogNadMissing(logger, reference.ToString());
            return NadLookup.Missing;
        }
    }

    private async Task<(VirtualMachineInstance? Instance, string? Error)> GetVmiAsync(string ns, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var vmi = await client.CustomObjects.GetNamespacedCustomObjectAsync<VirtualMachineInstance>(
                    VirtualMachineInstance.Group, VirtualMachineInstance.Version, ns, VirtualMachineInstance.Plural, name, cancellationToken);
                return (vmi, null);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                if (attempt >= VmiAttempts)
                {
                    return (null, $"virtualmachineinstances.kubevirt.io \"{name}\" not found");
                }
            }

            await Task.Delay(VmiRetryDelay, time, cancellationToken);
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static Dictionary<string, string> StringMap(JsonNode? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (Text(value) is { } text)
                {
                    map[key] = text;
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
}
