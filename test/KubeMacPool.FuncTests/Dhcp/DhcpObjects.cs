using System.Text.Json.Nodes;
using k8s;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>IPPools (cluster-scoped) and IPReservations as the tests create and read them.</summary>
public static class DhcpObjects
{
    public static readonly CustomResource Reservations = new("kubemacpool.io", "v1alpha1", "ipreservations", "IPReservation");

    public static JsonObject Pool(string name, string network, string cidr, string server, string? router = null, string? start = null, string? end = null, params string[] exclude)
    {
        var spec = new JsonObject { ["network"] = network, ["cidr"] = cidr, ["serverIP"] = server };
        if (router is not null)
        {
            spec["router"] = router;
        }

        if (start is not null || end is not null)
        {
            spec["range"] = new JsonObject { ["start"] = start, ["end"] = end };
        }

        if (exclude.Length > 0)
        {
            spec["exclude"] = new JsonArray([.. exclude.Select(e => (JsonNode)e)]);
        }

        return new JsonObject
        {
            ["apiVersion"] = "kubemacpool.io/v1alpha1",
            ["kind"] = "IPPool",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
    }

    public static async Task<JsonObject> CreatePoolAsync(this TestCluster k, JsonObject pool)
    {
        var name = pool["metadata"]!["name"]!.GetValue<string>();
        var created = await KubernetesApiException.WrapAsync(
            $"creating IPPool {name}",
            () => k.Client.CustomObjects.CreateClusterCustomObjectAsync<JsonObject>(pool, "kubemacpool.io", "v1alpha1", "ippools", cancellationToken: k.CancellationToken));
        k.DeferCleanup($"IPPool {name}", ct => k.Client.CustomObjects.DeleteClusterCustomObjectAsync("kubemacpool.io", "v1alpha1", "ippools", name, cancellationToken: ct));
        return created;
    }

    public static Task<JsonObject> GetPoolAsync(this TestCluster k, string name) =>
        k.Client.CustomObjects.GetClusterCustomObjectAsync<JsonObject>("kubemacpool.io", "v1alpha1", "ippools", name, k.CancellationToken);

    public static Task<JsonObject> PatchPoolAsync(this TestCluster k, string name, JsonNode mergePatch) =>
        KubernetesApiException.WrapAsync(
            $"patching IPPool {name}",
            () => k.Client.CustomObjects.PatchClusterCustomObjectAsync<JsonObject>(
                TestCluster.MergePatch(mergePatch), "kubemacpool.io", "v1alpha1", "ippools", name, cancellationToken: k.CancellationToken));

    public static string? Condition(JsonObject obj, string type, string field = "status") =>
        obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?[field]?.GetValue<string>();

    public static string? Address(JsonObject reservation) => reservation["status"]?["address"]?.GetValue<string>();

    /// <summary>Waits until the reservation exists and has an address.</summary>
    public static Task<JsonObject> AllocatedReservationAsync(this TestCluster k, string ns, string name, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(
            async () => await k.TryGetCustomObjectAsync(Reservations, ns, name),
            r => r is not null && Condition(r, "Allocated") == "True" && Address(r) is not null,
            $"reservation {ns}/{name} has an address",
            timeout,
            describe: r => r?.ToJsonString() ?? "(absent)")!;
}
