using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Plugin;

/// <summary>The cluster or the service could not be asked; <see cref="ExitCode"/> says which for scripts.</summary>
internal sealed class PluginException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Lists VMs, VMIs and pods with the caller's own credentials: cluster-wide when allowed, else in the caller's
/// namespace (the kubeconfig context's, or <c>-n</c>). What the caller may not list is noted, never guessed, so a
/// user without rights on a namespace learns nothing about its objects.
/// </summary>
internal sealed class ClusterReader(IKubernetes client, string? explicitNamespace, string currentNamespace)
{
    public async Task<Inventory> ReadInventoryAsync(CancellationToken cancellationToken)
    {
        var inventory = new Inventory();
        foreach (var vm in await ListCustomAsync("virtualmachines", "VirtualMachines", inventory, cancellationToken))
        {
            inventory.AddVirtualMachine(vm);
        }

        foreach (var vmi in await ListCustomAsync("virtualmachineinstances", "VirtualMachineInstances", inventory, cancellationToken))
        {
            inventory.AddVirtualMachineInstance(vmi);
        }

        var pods = await ScopedAsync(
            "pods", inventory,
            async () => (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: cancellationToken)).Items,
            async ns => (await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancellationToken)).Items);
        foreach (var pod in pods ?? [])
        {
            inventory.AddPod(pod);
        }

        return inventory;
    }

    /// <summary>The status the service publishes; a missing, unreadable or garbled one is a <see cref="PluginException"/>.</summary>
    public async Task<PoolStatus> ReadStatusAsync(string serviceNamespace, CancellationToken cancellationToken)
    {
        var where = $"ConfigMap {serviceNamespace}/{PoolStatus.ConfigMapName}";
        try
        {
            var configMap = await client.CoreV1.ReadNamespacedConfigMapAsync(PoolStatus.ConfigMapName, serviceNamespace, cancellationToken: cancellationToken);
            return PoolStatus.TryParse(configMap.Data, out var status, out var error)
                ? status
                : throw new PluginException($"kubemacpool's status in {where} is unreadable: {error}", ExitCodes.ServiceNotReporting);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new PluginException(
                $"kubemacpool is not reporting: {where} not found (is kubemacpool running, and in namespace {serviceNamespace}? see --service-namespace)",
                ExitCodes.ServiceNotReporting);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new PluginException($"you may not read {where}: ask for get on it to see the pool's figures", ExitCodes.Unreachable);
        }
    }

    private async Task<IList<JsonObject>> ListCustomAsync(string plural, string what, Inventory inventory, CancellationToken cancellationToken)
    {
        try
        {
            return await ScopedAsync<JsonObject>(
                what, inventory,
                async () => Items(await client.CustomObjects.ListClusterCustomObjectAsync("kubevirt.io", "v1", plural, cancellationToken: cancellationToken)),
                async ns => Items(await client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", ns, plural, cancellationToken: cancellationToken)))
                ?? [];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            inventory.Notes.Add($"{what}: KubeVirt is not installed (kubevirt.io/v1 not served)");
            return [];
        }
    }

    /// <summary>Cluster-wide when allowed, else the caller's namespace; null (and a note) when neither is allowed.</summary>
    private async Task<IList<T>?> ScopedAsync<T>(string what, Inventory inventory, Func<Task<IList<T>>> all, Func<string, Task<IList<T>>> inNamespace)
    {
        if (explicitNamespace is null)
        {
            try
            {
                return await all();
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
            {
                inventory.Notes.Add($"{what}: not allowed cluster-wide; only namespace {currentNamespace} is shown");
            }
        }

        var ns = explicitNamespace ?? currentNamespace;
        try
        {
            return await inNamespace(ns);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            inventory.Notes.Add($"{what}: not allowed in namespace {ns}; none shown");
            return null;
        }
    }

    private static IList<JsonObject> Items(object list)
    {
        var node = list is JsonElement element ? JsonNode.Parse(element.GetRawText()) : JsonSerializer.SerializeToNode(list);
        return node?["items"] is JsonArray items ? [.. items.OfType<JsonObject>()] : [];
    }
}
