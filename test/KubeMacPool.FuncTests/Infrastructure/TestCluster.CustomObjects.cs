using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>Custom objects from JSON bodies (KubeVirt, Multus, IPAM) and Events.</summary>
public sealed partial class TestCluster
{
    // ---------------------------------------------------------------- custom objects (JSON bodies)

    /// <summary>
    /// Creates a namespaced custom object from a JSON body (apiVersion, kind and metadata.namespace are filled in when
    /// missing). With <paramref name="dryRun"/>, the server runs admission (webhooks included) but stores nothing.
    /// Returns the object as the server answered it.
    /// </summary>
    public async Task<JsonObject> CreateCustomObjectAsync(CustomResource resource, string ns, JsonObject body, bool dryRun = false)
    {
        var obj = body.DeepClone().AsObject();
        obj["apiVersion"] ??= resource.ApiVersion;
        obj["kind"] ??= resource.Kind;
        var metadata = obj["metadata"] as JsonObject ?? throw new ArgumentException("The object has no metadata.", nameof(body));
        metadata["namespace"] ??= ns;
        var name = metadata["name"]?.GetValue<string>() ?? "(generateName)";
        return await KubernetesApiException.WrapAsync(
            $"creating {resource.Kind} {ns}/{name}{(dryRun ? " (dry run)" : "")}",
            () => Client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(
                obj, resource.Group, resource.Version, ns, resource.Plural, dryRun: dryRun ? DryRunAll : null, cancellationToken: CancellationToken));
    }

    public Task<JsonObject> CreateCustomObjectAsync(CustomResource resource, string ns, string json, bool dryRun = false) =>
        CreateCustomObjectAsync(resource, ns, ParseObject(json), dryRun);

    public Task<JsonObject> GetCustomObjectAsync(CustomResource resource, string ns, string name) =>
        KubernetesApiException.WrapAsync(
            $"reading {resource.Kind} {ns}/{name}",
            () => Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
                resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: CancellationToken));

    public Task<JsonObject?> TryGetCustomObjectAsync(CustomResource resource, string ns, string name) =>
        TryAsync(() => Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
            resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: CancellationToken));

    public async Task<IReadOnlyList<JsonObject>> ListCustomObjectsAsync(CustomResource resource, string ns, string? labelSelector = null)
    {
        var list = await KubernetesApiException.WrapAsync(
            $"listing {resource.Plural} in {ns}",
            () => Client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(
                resource.Group, resource.Version, ns, resource.Plural, labelSelector: labelSelector, cancellationToken: CancellationToken));
        return list["items"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
    }

    /// <summary>Patches a custom object; use <see cref="MergePatch"/> or <see cref="JsonPatch"/> to build the body.</summary>
    public Task<JsonObject> PatchCustomObjectAsync(CustomResource resource, string ns, string name, V1Patch patch) =>
        KubernetesApiException.WrapAsync(
            $"patching {resource.Kind} {ns}/{name}",
            () => Client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(
                patch, resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: CancellationToken));

    /// <summary>Patches the status subresource of a custom object (the CRD must declare <c>subresources.status</c>).</summary>
    public Task<JsonObject> PatchCustomObjectStatusAsync(CustomResource resource, string ns, string name, V1Patch patch) =>
        KubernetesApiException.WrapAsync(
            $"patching the status of {resource.Kind} {ns}/{name}",
            () => Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<JsonObject>(
                patch, resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: CancellationToken));

    public async Task DeleteCustomObjectAsync(CustomResource resource, string ns, string name)
    {
        try
        {
            await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: CancellationToken);
        }
        catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
        {
            // Already gone.
        }
    }

    // ---------------------------------------------------------------- KubeVirt and Multus shortcuts

    public Task<JsonObject> CreateVirtualMachineAsync(string ns, JsonObject vm, bool dryRun = false) =>
        CreateCustomObjectAsync(CustomResources.VirtualMachines, ns, vm, dryRun);

    public Task<JsonObject> CreateVirtualMachineAsync(string ns, string json, bool dryRun = false) =>
        CreateCustomObjectAsync(CustomResources.VirtualMachines, ns, json, dryRun);

    public Task<JsonObject> GetVirtualMachineAsync(string ns, string name) =>
        GetCustomObjectAsync(CustomResources.VirtualMachines, ns, name);

    public Task<JsonObject> CreateVirtualMachineInstanceAsync(string ns, JsonObject vmi, bool dryRun = false) =>
        CreateCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, vmi, dryRun);

    public Task<JsonObject> CreateVirtualMachineInstanceAsync(string ns, string json, bool dryRun = false) =>
        CreateCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, json, dryRun);

    public Task<JsonObject> GetVirtualMachineInstanceAsync(string ns, string name) =>
        GetCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, name);

    /// <summary>Sets a VMI's <c>status.phase</c> (e.g. "Running") through the status subresource.</summary>
    public Task<JsonObject> SetVirtualMachineInstancePhaseAsync(string ns, string name, string phase) =>
        PatchCustomObjectStatusAsync(
            CustomResources.VirtualMachineInstances,
            ns,
            name,
            MergePatch(new JsonObject { ["status"] = new JsonObject { ["phase"] = phase } }));

    /// <summary>Creates a Multus NetworkAttachmentDefinition whose <c>spec.config</c> is the given CNI JSON string.</summary>
    public Task<JsonObject> CreateNetworkAttachmentDefinitionAsync(
        string ns,
        string name,
        string config,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (annotations is not null)
        {
            metadata["annotations"] = ToJsonObject(annotations);
        }

        var nad = new JsonObject
        {
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["config"] = config },
        };
        return CreateCustomObjectAsync(CustomResources.NetworkAttachmentDefinitions, ns, nad);
    }

    /// <summary>A CNI config for a bridge network (what kubemacpool users typically attach).</summary>
    public static string BridgeCniConfig(string networkName, string bridge = "br1") =>
        new JsonObject
        {
            ["cniVersion"] = "0.3.1",
            ["name"] = networkName,
            ["type"] = "bridge",
            ["bridge"] = bridge,
            ["ipam"] = new JsonObject(),
        }.ToJsonString();

    // ---------------------------------------------------------------- events

    /// <summary>Core v1 Events about one object (by involvedObject name, and kind/uid when given), oldest first.</summary>
    public async Task<IReadOnlyList<Corev1Event>> ListEventsAsync(string ns, string involvedName, string? involvedKind = null, string? involvedUid = null)
    {
        var selector = $"involvedObject.name={involvedName}";
        if (involvedKind is not null)
        {
            selector += $",involvedObject.kind={involvedKind}";
        }

        if (involvedUid is not null)
        {
            selector += $",involvedObject.uid={involvedUid}";
        }

        var list = await KubernetesApiException.WrapAsync(
            $"listing events for {involvedKind ?? "object"} {ns}/{involvedName}",
            () => Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: selector, cancellationToken: CancellationToken));
        return list.Items
            .OrderBy(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ToList();
    }

    /// <summary>Waits for an Event with <paramref name="reason"/> about an object and returns it.</summary>
    public async Task<Corev1Event> WaitForEventAsync(string ns, string involvedName, string reason, string? involvedKind = null, TimeSpan? timeout = null)
    {
        var events = await Eventually.ValueAsync(
            () => ListEventsAsync(ns, involvedName, involvedKind),
            list => list.Any(e => e.Reason == reason),
            $"an Event with reason {reason} for {involvedKind ?? "object"} {ns}/{involvedName}",
            timeout,
            describe: list => list.Count == 0 ? "no events" : string.Join("; ", list.Select(e => $"{e.Type}/{e.Reason}: {e.Message}")),
            cancellationToken: CancellationToken);
        return events.Last(e => e.Reason == reason);
    }
}
