using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Pool.Controllers;
using KubeMacPool.Manager.Pool.Webhooks;
using KubeMacPool.Manager.Tests.Kubernetes.Informers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static KubeMacPool.Manager.Tests.Admission.AdmissionCases;

namespace KubeMacPool.Manager.Tests.Pool;

/// <summary>
/// Objects admitted again before (or instead of) being persisted, through the real webhooks: a retried pod, a
/// re-created VM, a retried VM update, generateName pods and dry runs; and the heal pass settling many stale owners.
/// </summary>
public sealed class ReadmissionTests : IDisposable
{
    private const string Br1 = """[{"name":"br1"}]""";

    // Never run: the tests feed the caches through the informers' own event path.
    private readonly Informer<VirtualMachine> _virtualMachines =
        new(new FakeResourceClient<VirtualMachine>("virtualmachines"), null, true, NullLoggerFactory.Instance, TimeProvider.System);

    private readonly Informer<V1Pod> _pods =
        new(new FakeResourceClient<V1Pod>("pods"), null, true, NullLoggerFactory.Instance, TimeProvider.System);

    private readonly Informer<IpamClaim> _claims =
        new(new FakeResourceClient<IpamClaim>("ipamclaims"), null, false, NullLoggerFactory.Instance, TimeProvider.System);

    private readonly MacPool _pool = NewPool("02:00:00:00:ff:ff");
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = Clock();

    public void Dispose()
    {
        _virtualMachines.Dispose();
        _pods.Dispose();
        _claims.Dispose();
    }

    private PodWebhook Pods() => new(_pool, _virtualMachines, _clock, NullLogger<PodWebhook>.Instance);

    private VirtualMachineWebhook Vms() => new(_pool, _clock, new ClaimedMacs(_claims));

    private static JsonObject Pod(string? name) =>
        new()
        {
            ["metadata"] = new JsonObject
            {
                ["namespace"] = "ns",
                ["name"] = name,
                ["annotations"] = new JsonObject { ["k8s.v1.cni.cncf.io/networks"] = Br1 },
            },
        };

    private static JsonObject Vm(string interfaces, string networks) =>
        JsonNode.Parse(
            "{\"metadata\":{\"name\":\"vm1\",\"namespace\":\"ns\"},\"spec\":{\"template\":{\"spec\":{\"domain\":{\"devices\":{\"interfaces\":"
            + interfaces + "}},\"networks\":" + networks + "}}}}")!.AsObject();

    private static readonly JsonObject OneNicVm = Vm("""[{"name":"default","masquerade":{}}]""", """[{"name":"default","pod":{}}]""");

    private static string[] Macs(AdmissionResult result) =>
        [.. Ops(result).Select(o => o.Value?.ToJsonString() ?? "").Where(v => v.Contains("02:00:00", StringComparison.Ordinal))];

    private async Task<AdmissionResult> Review(IAdmissionWebhook webhook, AdmissionRequest request)
    {
        // A later review gets a later timestamp, as it would in a real retry.
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        return await webhook.ReviewAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_pod_create_retried_a_hundred_times_keeps_its_first_mac_and_one_pending_entry()
    {
        var first = Macs(await Review(Pods(), Create(Pod("p"))));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(first, Macs(await Review(Pods(), Create(Pod("p")))));
        }

        var entry = Assert.Single(_pool.EntriesOf(MacOwner.Pod("ns", "p")));
        Assert.Equal(_clock.GetUtcNow(), entry.PendingSince);
        Assert.Equal(1, _pool.PendingCount);
    }

    [Fact]
    public async Task Generate_name_pods_are_new_objects_each_time_and_get_distinct_macs()
    {
        var first = Create(Pod(null)) with { Uid = "u1" };
        var second = Create(Pod(null)) with { Uid = "u2" };

        var one = await Review(Pods(), first);
        var two = await Review(Pods(), second);

        Assert.NotEqual(Macs(one), Macs(two));
        Assert.Equal(2, _pool.OwnerCount);
    }

    [Fact]
    public async Task A_dry_run_of_a_retried_pod_answers_its_pending_mac_and_changes_nothing()
    {
        var real = Macs(await Review(Pods(), Create(Pod("p"))));
        var stamp = Assert.Single(_pool.EntriesOf(MacOwner.Pod("ns", "p"))).PendingSince;

        var dry = Macs(await Review(Pods(), Create(Pod("p"), dryRun: true)));

        Assert.Equal(real, dry);
        Assert.Equal(stamp, Assert.Single(_pool.EntriesOf(MacOwner.Pod("ns", "p"))).PendingSince);
    }

    [Fact]
    public async Task A_vm_re_created_before_its_first_create_was_persisted_reuses_the_pending_mac()
    {
        var first = Macs(await Review(Vms(), Create((JsonObject)OneNicVm.DeepClone())));
        var again = Macs(await Review(Vms(), Create((JsonObject)OneNicVm.DeepClone())));

        Assert.Equal(first, again);
        Assert.Equal(["default=02:00:00:00:00:00 (pending)"], Entries(_pool, MacOwner.VirtualMachine("ns", "vm1")));
    }

    [Fact]
    public async Task A_vm_create_of_a_name_whose_macs_are_committed_gets_a_fresh_mac_and_leaves_the_live_one()
    {
        var owner = MacOwner.VirtualMachine("ns", "vm1");
        _pool.Register(owner, "default", Mac("02:00:00:00:00:00"));

        var retry = Macs(await Review(Vms(), Create((JsonObject)OneNicVm.DeepClone())));

        Assert.Equal(["\"02:00:00:00:00:01\""], retry);
        Assert.Equal(["default=02:00:00:00:00:00", "default=02:00:00:00:00:01 (pending)"], Entries(_pool, owner));
    }

    [Fact]
    public async Task A_retried_vm_update_adding_an_interface_reuses_the_mac_of_the_first_attempt()
    {
        var owner = MacOwner.VirtualMachine("ns", "vm1");
        _pool.Register(owner, "default", Mac("02:00:00:00:00:05"));
        var old = Vm("""[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:05"}]""", """[{"name":"default","pod":{}}]""");
        var updated = Vm(
            """[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:05"},{"name":"br1","bridge":{}}]""",
            """[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}}]""");

        var first = Macs(await Review(Vms(), Update(old, (JsonObject)updated.DeepClone())));
        var retry = Macs(await Review(Vms(), Update(old, (JsonObject)updated.DeepClone())));

        Assert.Equal(["\"02:00:00:00:00:00\""], first);
        Assert.Equal(first, retry);
        Assert.Equal(["br1=02:00:00:00:00:00 (pending)", "default=02:00:00:00:00:05"], Entries(_pool, owner));
    }

    [Fact]
    public async Task Heal_settles_more_stale_owners_than_one_batch_and_keeps_what_a_live_pod_carries()
    {
        var count = (HealLoop.BatchSize * 2) + 10;
        for (var i = 0; i < count; i++)
        {
            await Review(Pods(), Create(Pod("gone-" + i)));
        }

        await Review(Pods(), Create(Pod("live")));
        var live = Assert.Single(_pool.EntriesOf(MacOwner.Pod("ns", "live"))).Mac.ToString();
        await ((IResourceEventHandler<V1Pod>)_pods).OnEventAsync(
            WatchEventType.Added,
            new V1Pod
            {
                Metadata = new V1ObjectMeta
                {
                    Name = "live",
                    NamespaceProperty = "ns",
                    Annotations = new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/networks"] = $$"""[{"name":"br1","mac":"{{live}}"}]""" },
                },
            },
            TestContext.Current.CancellationToken);
        var options = Options.Create(new ManagerOptions { WaitTimeSeconds = 1 });
        var heal = new HealLoop(_pool, _virtualMachines, _pods, options, _clock, NullLogger<HealLoop>.Instance);
        _clock.Advance(TimeSpan.FromSeconds(2));

        await heal.HealOnceAsync(TestContext.Current.CancellationToken);

        Assert.Equal([$"br1={live}"], Entries(_pool, MacOwner.Pod("ns", "live")));
        Assert.Equal((1, 0), (_pool.EntryCount, _pool.PendingCount));
    }
}
