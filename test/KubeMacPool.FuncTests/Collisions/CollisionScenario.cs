using System.Security.Cryptography;
using System.Text.Json.Nodes;
using k8s;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>A running VMI or pod as collision messages name it: <c>vmi/&lt;ns&gt;/&lt;name&gt;</c> or <c>pod/&lt;ns&gt;/&lt;name&gt;</c>.</summary>
public sealed record RunningObject(string Kind, string Namespace, string Name)
{
    public string Key => $"{Kind}/{Namespace}/{Name}";

    public string EventKind => Kind == "vmi" ? "VirtualMachineInstance" : "Pod";

    public override string ToString() => Key;
}

/// <summary>
/// Upstream's collision-test helpers against the real apiserver: objects made Running through the status
/// subresource (there is no kubelet or virt-handler), Events read back, and the gauge read from the real metrics
/// endpoint. Every object is deleted at the end of the test (before its namespace), so MACs never leak into the next.
/// </summary>
public sealed class CollisionScenario(TestCluster k, CollisionServiceFixture fixture)
{
    public const string Reason = "MACCollision";
    public const string PodsWebhook = KubeMacPoolService.PodsWebhook;
    public const string VirtualMachinesWebhook = KubeMacPoolService.VirtualMachinesWebhook;

    /// <summary>
    /// Namespace labels and opt modes reach the manager through their own watches, apart from the VMI and pod watches;
    /// give them a moment before objects that depend on them are created.
    /// </summary>
    public static Task SettleAsync() => Task.Delay(TimeSpan.FromSeconds(1.5));

    public static string Normalize(string mac) => mac.ToLowerInvariant().Replace('-', ':');

    /// <summary>A VMI whose bridge interfaces on Multus networks carry the given MACs, then Running with those MACs in <c>status.interfaces</c>.</summary>
    public async Task<RunningObject> RunningVmiAsync(string ns, string name, params (string Network, string Mac)[] nics)
    {
        var interfaces = new JsonArray();
        var networks = new JsonArray();
        var status = new JsonArray();
        foreach (var (network, mac) in nics)
        {
            interfaces.Add(new JsonObject { ["name"] = network, ["bridge"] = new JsonObject(), ["macAddress"] = mac });
            networks.Add(new JsonObject { ["name"] = network, ["multus"] = new JsonObject { ["networkName"] = network } });
            status.Add(new JsonObject { ["name"] = network, ["mac"] = mac, ["interfaceName"] = "eth" + status.Count });
        }

        var vmi = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["domain"] = new JsonObject
                {
                    ["devices"] = new JsonObject { ["interfaces"] = interfaces },
                    ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["memory"] = "64Mi" } },
                },
                ["networks"] = networks,
            },
        };
        await k.CreateVirtualMachineInstanceAsync(ns, vmi);
        k.DeferCleanup($"deleting vmi {ns}/{name}", _ => k.DeleteCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, name));
        await k.PatchCustomObjectStatusAsync(
            CustomResources.VirtualMachineInstances, ns, name,
            TestCluster.MergePatch(new JsonObject { ["status"] = new JsonObject { ["phase"] = "Running", ["interfaces"] = status } }));
        return new RunningObject("vmi", ns, name);
    }

    /// <summary>
    /// A pod whose networks annotation asks for the given MACs (the pod webhook admits it), then wired by "Multus"
    /// (network-status written) and Running.
    /// </summary>
    public async Task<RunningObject> RunningPodAsync(string ns, string name, params (string Network, string Mac)[] networks)
    {
        var request = new JsonArray();
        var networkStatus = new JsonArray();
        foreach (var (network, mac) in networks)
        {
            request.Add(new JsonObject { ["name"] = network, ["namespace"] = ns, ["mac"] = mac });
            networkStatus.Add(new JsonObject { ["name"] = $"{ns}/{network}", ["interface"] = "net" + networkStatus.Count, ["mac"] = Normalize(mac) });
        }

        await k.CreatePodAsync(ns, name, annotations: new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/networks"] = request.ToJsonString() });
        k.DeferCleanup($"deleting pod {ns}/{name}", _ => k.DeletePodAsync(ns, name));
        await k.Client.CoreV1.PatchNamespacedPodAsync(
            TestCluster.MergePatch(new JsonObject
            {
                ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["k8s.v1.cni.cncf.io/network-status"] = networkStatus.ToJsonString() } },
            }),
            name, ns, cancellationToken: k.CancellationToken);
        await k.SetPodPhaseAsync(ns, name, "Running");
        return new RunningObject("pod", ns, name);
    }

    public async Task DeleteAsync(RunningObject item)
    {
        if (item.Kind == "vmi")
        {
            await k.DeleteCustomObjectAsync(CustomResources.VirtualMachineInstances, item.Namespace, item.Name);
        }
        else
        {
            await k.DeletePodAsync(item.Namespace, item.Name);
        }
    }

    /// <summary>Upstream's expectMACCollisionEvents: every object gets a Warning MACCollision with the exact message.</summary>
    public async Task ExpectEventsAsync(string mac, params RunningObject[] objects)
    {
        var message = $"MAC {Normalize(mac)}: Collision between {string.Join(", ", objects.Select(o => o.Key).Order(StringComparer.Ordinal))}";
        foreach (var item in objects)
        {
            await Eventually.ValueAsync(
                () => k.ListEventsAsync(item.Namespace, item.Name, item.EventKind),
                events => events.Any(e => e.Reason == Reason && e.Type == "Warning" && e.Message == message),
                $"Event {Reason} \"{message}\" on {item}",
                TimeSpan.FromSeconds(30),
                describe: events => events.Count == 0 ? "no events" : string.Join("; ", events.Select(e => $"{e.Type}/{e.Reason}: {e.Message}")),
                cancellationToken: k.CancellationToken);
        }
    }

    /// <summary>Upstream's expectMACCollisionGauge: the series shows <paramref name="objects"/> (0 = no series).</summary>
    public Task ExpectGaugeAsync(string mac, int objects) =>
        Eventually.ValueAsync(
            () => fixture.CollisionGaugeAsync(mac),
            value => value == objects,
            $"kmp_mac_collisions{{mac=\"{Normalize(mac)}\"}} = {objects}",
            TimeSpan.FromSeconds(30),
            cancellationToken: k.CancellationToken);

    /// <summary>
    /// No collision on <paramref name="mac"/> for the objects. A barrier first proves the manager has processed every
    /// earlier event of that kind (a pair created afterwards is seen colliding), so the absence means something;
    /// then it must stay absent for a while (upstream watches for 5 s; the barrier already took a few).
    /// </summary>
    public async Task ExpectNoCollisionAsync(string mac, params RunningObject[] objects)
    {
        foreach (var kind in objects.Select(o => o.Kind).Distinct())
        {
            await BarrierAsync(kind);
        }

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        do
        {
            Assert.Equal(0, await fixture.CollisionGaugeAsync(mac));
            foreach (var item in objects)
            {
                var events = await k.ListEventsAsync(item.Namespace, item.Name, item.EventKind);
                Assert.DoesNotContain(events, e => e.Reason == Reason);
            }

            await Task.Delay(500, k.CancellationToken);
        }
        while (DateTime.UtcNow < until);
    }

    private async Task BarrierAsync(string kind)
    {
        var ns = await k.CreateNamespaceAsync(new Dictionary<string, string>
        {
            [kind == "vmi" ? VirtualMachinesWebhook : PodsWebhook] = "allocate",
        });
        await SettleAsync();
        var mac = "02:00:ee:" + string.Join(':', RandomNumberGenerator.GetBytes(3).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var pair = kind == "vmi"
            ? new[] { await RunningVmiAsync(ns.Name, "barrier-a", ("net", mac)), await RunningVmiAsync(ns.Name, "barrier-b", ("net", mac)) }
            : [await RunningPodAsync(ns.Name, "barrier-a", ("net", mac)), await RunningPodAsync(ns.Name, "barrier-b", ("net", mac))];
        await ExpectGaugeAsync(mac, 2);
        foreach (var item in pair)
        {
            await DeleteAsync(item);
        }

        await ExpectGaugeAsync(mac, 0);
    }
}
