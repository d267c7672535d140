using System.Text.Json.Nodes;
using KubeMacPool.Core.Allocation;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Pool.Webhooks;
using KubeMacPool.Manager.Tests.Kubernetes.Informers;
using Microsoft.Extensions.Logging.Abstractions;
using static KubeMacPool.Manager.Tests.Admission.AdmissionCases;

namespace KubeMacPool.Manager.Tests.Pool;

/// <summary>The VM webhook's decisions, called directly with a real pool over sixteen addresses.</summary>
public sealed class VirtualMachineWebhookTests
{
    private const string TimestampPath = "/metadata/annotations/kubemacpool.io~1transaction-timestamp";
    private const string Stamp = "2026-03-01T12:00:00Z";

    private const string MasqueradeAndTwoMultus =
        """[{"name":"default","masquerade":{}},{"name":"br1","bridge":{}},{"name":"sr1","sriov":{}},{"name":"ghost","bridge":{}}]""";

    private const string PodAndTwoMultus =
        """[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}},{"name":"sr1","multus":{"networkName":"sr1"}}]""";

    private static readonly MacOwner Owner = MacOwner.VirtualMachine("ns", "vm1");

    private static string MacPath(int index) => $"/spec/template/spec/domain/devices/interfaces/{index}/macAddress";

    private static JsonObject Vm(string interfaces, string networks) =>
        JsonNode.Parse(
            "{\"metadata\":{\"name\":\"vm1\",\"namespace\":\"ns\"},\"spec\":{\"running\":false,\"template\":{\"spec\":{\"domain\":{\"devices\":{\"interfaces\":"
            + interfaces + "}},\"networks\":" + networks + "}}}}")!.AsObject();

    // No claim exists in these cases: an informer that is never run has an empty cache.
    private static readonly Informer<IpamClaim> NoClaims =
        new(new FakeResourceClient<IpamClaim>("ipamclaims"), null, false, NullLoggerFactory.Instance, TimeProvider.System);

    private static (MacPool Pool, VirtualMachineWebhook Webhook) Setup(string end = "02:00:00:00:00:0f")
    {
        var pool = NewPool(end);
        return (pool, new VirtualMachineWebhook(pool, Clock(), new ClaimedMacs(NoClaims)));
    }

    private static async Task<AdmissionResult> ReviewAsync(VirtualMachineWebhook webhook, AdmissionRequest request) =>
        await webhook.ReviewAsync(request, TestContext.Current.CancellationToken);

    /// <summary>The ops every transaction starts with on a VM without annotations: the map, then the timestamp.</summary>
    private static (string, string, string?)[] StampOps => [("add", "/metadata/annotations", "{}"), ("add", TimestampPath, $"\"{Stamp}\"")];

    private static (string, string, string?)[] Flat(AdmissionResult result) =>
        [.. Ops(result).Select(o => (o.Op, o.Path, o.Value?.ToJsonString()))];

    [Fact]
    public async Task A_vm_being_deleted_is_allowed_untouched()
    {
        var (pool, webhook) = Setup();
        var vm = Vm(MasqueradeAndTwoMultus, PodAndTwoMultus);
        vm["metadata"]!["deletionTimestamp"] = "2026-03-01T11:00:00Z";

        var result = await ReviewAsync(webhook, Create(vm));

        Assert.True(result.Allowed);
        Assert.Null(result.Patch);
        Assert.Equal(0, pool.EntryCount);
    }

    [Fact]
    public async Task A_vm_without_a_template_is_allowed_with_the_upstream_message()
    {
        var (pool, webhook) = Setup();
        var result = await ReviewAsync(webhook, Create(JsonNode.Parse("""{"metadata":{"name":"vm1","namespace":"ns"},"spec":{"running":false}}""")!.AsObject()));

        Assert.True(result.Allowed);
        Assert.Null(result.Patch);
        Assert.Equal("virtual machine template is nil, ignoring virtual machine", result.Message);
        Assert.Equal(0, pool.EntryCount);
    }

    [Fact]
    public async Task A_new_vm_gets_macs_for_masquerade_and_multus_interfaces_only_and_the_timestamp()
    {
        var (pool, webhook) = Setup();
        var result = await ReviewAsync(webhook, Create(Vm(MasqueradeAndTwoMultus, PodAndTwoMultus)));

        Assert.True(result.Allowed);
        Assert.Equal(
            [
                .. StampOps,
                ("add", MacPath(0), "\"02:00:00:00:00:00\""),
                ("add", MacPath(1), "\"02:00:00:00:00:01\""),
                ("add", MacPath(2), "\"02:00:00:00:00:02\""),
            ],
            Flat(result));
        Assert.Equal(
            ["br1=02:00:00:00:00:01 (pending)", "default=02:00:00:00:00:00 (pending)", "sr1=02:00:00:00:00:02 (pending)"],
            Entries(pool, Owner));
        Assert.All(pool.EntriesOf(Owner), e => Assert.Equal(Now, e.PendingSince)); // what the commit will match against the stamp
    }

    [Fact]
    public async Task A_bridge_on_the_pod_network_gets_no_mac_but_the_vm_is_still_stamped()
    {
        var (pool, webhook) = Setup();
        var result = await ReviewAsync(webhook, Create(Vm("""[{"name":"default","bridge":{}}]""", """[{"name":"default","pod":{}}]""")));

        Assert.Equal(StampOps, Flat(result));
        Assert.Equal(0, pool.EntryCount);
    }

    [Fact]
    public async Task A_requested_mac_is_kept_without_a_patch_op_and_registered()
    {
        var (pool, webhook) = Setup();
        var result = await ReviewAsync(webhook, Create(Vm(
            """[{"name":"default","masquerade":{},"macAddress":"0a:00:00:00:00:01"},{"name":"br1","bridge":{}}]""", PodAndTwoMultus)));

        Assert.Equal([.. StampOps, ("add", MacPath(1), "\"02:00:00:00:00:00\"")], Flat(result));
        Assert.Equal(["br1=02:00:00:00:00:00 (pending)", "default=0a:00:00:00:00:01 (pending)"], Entries(pool, Owner));
    }

    [Fact]
    public async Task A_requested_mac_another_owner_holds_is_denied_and_nothing_is_reserved()
    {
        var (pool, webhook) = Setup();
        pool.Register(MacOwner.Pod("ns", "p"), "br1", Mac("0a:00:00:00:00:01"));

        var result = await ReviewAsync(webhook, Create(Vm(
            """[{"name":"default","masquerade":{}},{"name":"br1","bridge":{},"macAddress":"0a:00:00:00:00:01"}]""", PodAndTwoMultus)));

        Assert.False(result.Allowed);
        Assert.EndsWith(MacPool.RequestedMacTakenError, result.Message, StringComparison.Ordinal);
        Assert.Empty(pool.EntriesOf(Owner));
    }

    [Fact]
    public async Task Malformed_interfaces_are_a_bad_request()
    {
        var (pool, webhook) = Setup();
        var result = await ReviewAsync(webhook, Create(Vm("\"eth0\"", PodAndTwoMultus)));

        Assert.False(result.Allowed);
        Assert.Equal(400, result.Code);
        Assert.StartsWith("invalid virtual machine: ", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.EntryCount);
    }

    [Fact]
    public async Task A_full_range_denies_with_the_upstream_message_and_rolls_back()
    {
        var (pool, webhook) = Setup(end: "02:00:00:00:00:01");
        var result = await ReviewAsync(webhook, Create(Vm(MasqueradeAndTwoMultus, PodAndTwoMultus)));

        Assert.False(result.Allowed);
        Assert.Equal(
            "Failed to create virtual machine allocation error: Failed to allocate mac to the vm object: " + RangeAllocator.RangeFullError,
            result.Message);
        Assert.Equal(0, pool.EntryCount);
    }

    [Fact]
    public async Task A_dry_run_answers_with_macs_but_leaves_no_reservation()
    {
        var (pool, webhook) = Setup();
        var result = await ReviewAsync(webhook, Create(Vm(MasqueradeAndTwoMultus, PodAndTwoMultus), dryRun: true));

        Assert.Contains(("add", MacPath(0), "\"02:00:00:00:00:00\""), Flat(result));
        Assert.Equal(0, pool.EntryCount);
        Assert.Equal(0, pool.PendingCount);
    }

    [Fact]
    public async Task An_update_that_changes_only_finalizers_is_allowed_without_a_patch()
    {
        var (pool, webhook) = Setup();
        var old = Vm("""[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:05"}]""", PodAndTwoMultus);
        var updated = (JsonObject)old.DeepClone();
        updated["metadata"]!["finalizers"] = new JsonArray("example.com/keep");

        var result = await ReviewAsync(webhook, Update(old, updated));

        Assert.True(result.Allowed);
        Assert.Null(result.Patch);
        Assert.Equal(0, pool.EntryCount);
    }

    [Fact]
    public async Task An_update_adding_an_interface_gives_a_mac_to_the_new_one_only()
    {
        var (pool, webhook) = Setup();
        pool.Register(Owner, "default", Mac("02:00:00:00:00:05"));
        var old = Vm("""[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:05"}]""", """[{"name":"default","pod":{}}]""");
        var updated = Vm(
            """[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:05"},{"name":"br1","bridge":{}}]""",
            """[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}}]""");

        var result = await ReviewAsync(webhook, Update(old, updated));

        Assert.Equal([.. StampOps, ("add", MacPath(1), "\"02:00:00:00:00:00\"")], Flat(result));
        Assert.Equal(["br1=02:00:00:00:00:00 (pending)", "default=02:00:00:00:00:05"], Entries(pool, Owner));
    }

    [Fact]
    public async Task An_update_that_drops_the_macs_from_the_spec_restores_the_old_ones()
    {
        var (pool, webhook) = Setup();
        pool.Register(Owner, "default", Mac("02:00:00:00:00:05"));
        var old = Vm("""[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:05"}]""", """[{"name":"default","pod":{}}]""");
        var updated = Vm("""[{"name":"default","masquerade":{}}]""", """[{"name":"default","pod":{}}]""");

        var result = await ReviewAsync(webhook, Update(old, updated));

        Assert.Equal([.. StampOps, ("add", MacPath(0), "\"02:00:00:00:00:05\"")], Flat(result));
        Assert.Equal(["default=02:00:00:00:00:05"], Entries(pool, Owner));
    }
}
