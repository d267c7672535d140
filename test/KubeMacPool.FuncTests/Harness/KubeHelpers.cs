using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeMacPool.FuncTests.Harness;

/// <summary>Creates and changes cluster objects for tests, and waits for conditions.</summary>
public static class KubeHelpers
{
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A namespace that is deleted when the test ends (await using).</summary>
    public static async Task<TestNamespace> CreateNamespaceAsync(
        this IKubernetes client, IDictionary<string, string>? labels = null, string prefix = "kmp-test")
    {
        var name = UniqueName(prefix);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        });
        return new TestNamespace(client, name);
    }

    public static async Task SetNamespaceLabelAsync(this IKubernetes client, string @namespace, string key, string? value)
    {
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [key] = value } } };
        await client.CoreV1.PatchNamespaceAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), @namespace);
    }

    public static Task<V1Pod> CreatePodAsync(
        this IKubernetes client, string @namespace, string name, IDictionary<string, string>? annotations = null, bool dryRun = false) =>
        client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "registry.invalid/none:1" }] },
            },
            @namespace,
            dryRun: dryRun ? "All" : null);

    /// <summary>There is no kubelet: tests that need a running pod say so through the status subresource.</summary>
    public static Task SetPodPhaseAsync(this IKubernetes client, string @namespace, string name, string phase) =>
        client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch(new JsonObject { ["status"] = new JsonObject { ["phase"] = phase } }.ToJsonString(), V1Patch.PatchType.MergePatch), name, @namespace);

    public static async Task CreateNetworkAttachmentDefinitionAsync(this IKubernetes client, string @namespace, string name, string config)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "k8s.cni.cncf.io/v1",
            ["kind"] = "NetworkAttachmentDefinition",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["config"] = config },
        };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "k8s.cni.cncf.io", "v1", @namespace, "network-attachment-definitions");
    }

    /// <summary>Creates a KubeVirt object (VirtualMachine or VirtualMachineInstance) from JSON; returns what the server stored.</summary>
    public static async Task<JsonObject> CreateKubeVirtObjectAsync(this IKubernetes client, string @namespace, string plural, JsonObject body, bool dryRun = false)
    {
        var created = await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            body, "kubevirt.io", "v1", @namespace, plural, dryRun: dryRun ? "All" : null);
        return ToJsonObject(created);
    }

    public static async Task<JsonObject?> GetKubeVirtObjectAsync(this IKubernetes client, string @namespace, string plural, string name)
    {
        try
        {
            return ToJsonObject(await client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", @namespace, plural, name));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static Task SetKubeVirtStatusAsync(this IKubernetes client, string @namespace, string plural, string name, JsonObject status) =>
        client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch),
            "kubevirt.io", "v1", @namespace, plural, name);

    public static async Task<IList<Corev1Event>> EventsForAsync(this IKubernetes client, string @namespace, string name) =>
        (await client.CoreV1.ListNamespacedEventAsync(@namespace, fieldSelector: "involvedObject.name=" + name)).Items;

    public static async Task<bool> ExistsAsync(Func<Task> get)
    {
        try
        {
            await get();
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> otherwise.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                last = e;
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(250));
        }

        Assert.Fail($"timed out after {timeout ?? TimeSpan.FromSeconds(30)} waiting for: {what}" + (last is null ? "" : $" (last error: {last.Message})"));
    }

    public static JsonObject ToJsonObject(object value) =>
        JsonNode.Parse(KubernetesJson.Serialize(value))!.AsObject();
}

/// <summary>A test's namespace, deleted when disposed.</summary>
public sealed class TestNamespace(IKubernetes client, string name) : IAsyncDisposable
{
    public string Name => name;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await client.CoreV1.DeleteNamespaceAsync(name);
        }
        catch (HttpOperationException)
        {
            // Already gone.
        }
    }

    public override string ToString() => name;
}
