using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Operations;

/// <summary>
/// Reserved MACs (ConfigMap key RESERVED_MACS, KubeVirt's 02:00:00:00:00:00 by default) and the unicast-only rule,
/// against the real manager called by the real API server.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class ReservedAndUnicastTests(ClusterFixture cluster, KubeMacPoolServiceFixture fixture)
    : IClassFixture<KubeMacPoolServiceFixture>, IAsyncLifetime
{
    private const string Networks = "k8s.v1.cni.cncf.io/networks";
    private const string VmDenied = "admission webhook \"mutatevirtualmachines.kubemacpool.io\" denied the request: ";
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);
    private KubeMacPoolService Service => fixture.Service;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // Back to the fixture's configuration: default range, no RESERVED_MACS key (the KubeVirt default).
        await Service.SetRangeConfigAsync(new Dictionary<string, string?>
        {
            ["RANGE_START"] = KubeMacPoolService.DefaultRangeStart,
            ["RANGE_END"] = KubeMacPoolService.DefaultRangeEnd,
            ["RESERVED_MACS"] = null,
        });
        await _k.DisposeAsync();
    }

    private Task<k8s.Models.V1Pod> CreatePod(string ns, string name, string networks) =>
        _k.CreatePodAsync(ns, TestCluster.NewPod(name, annotations: new Dictionary<string, string> { [Networks] = networks }));

    [Fact]
    public async Task The_default_reserved_mac_is_never_handed_out_even_when_the_cursor_sits_on_it()
    {
        var ns = await _k.CreateNamespaceAsync();

        // Two addresses: wherever the random cursor starts, it is on 02:00:00:00:00:00 before or after :01.
        await Service.SetRangeAsync("02:00:00:00:00:00", "02:00:00:00:00:01");
        await _k.EventuallyAsync(
            async () => Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("probe", ("br1", null)), dryRun: true))[0] is "02:00:00:00:00:01",
            "the two-address range to apply",
            TimeSpan.FromSeconds(30));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("02:00:00:00:00:01", Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("dry" + i, ("br1", null)), dryRun: true))[0]);
        }

        var vm = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm1", ("br1", null)));
        Assert.Equal("02:00:00:00:00:01", Vms.Macs(vm)[0]);
        var full = await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm2", ("br1", null))));
        Assert.Contains("the range is full", full.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_edit_of_the_reserved_list_applies_and_requests_for_reserved_macs_are_refused_naming_the_entry()
    {
        var ns = await _k.CreateNamespaceAsync();
        var defaultRefused = await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("bridge-mac", ("br1", "02:00:00:00:00:00"))));
        Assert.Contains(
            VmDenied + "Failed to create virtual machine allocation error: Failed to allocate mac to the vm object: refused reserved MAC address 02:00:00:00:00:00 for interface br1: reserved by RESERVED_MACS entry \"02:00:00:00:00:00\"",
            defaultRefused.Message,
            StringComparison.Ordinal);

        await Service.SetRangeConfigAsync(new Dictionary<string, string?> { ["RESERVED_MACS"] = "02:00:00:00:cc:00..02-00-00-00-CC-FF\n0200.0000.dd01  # router" });
        await _k.EventuallyAsync(
            () => RefusedAsync(() => CreatePod(ns.Name, TestCluster.UniqueName("probe"), """[{"name":"net","mac":"02-00-00-00-CC-10"}]"""), "refused reserved MAC address 02:00:00:00:cc:10"),
            "the edited reserved list to apply",
            TimeSpan.FromSeconds(30));
        var podRefused = await Assert.ThrowsAnyAsync<Exception>(() => CreatePod(ns.Name, "p2", """[{"name":"net","mac":"02:00:00:00:dd:01"}]"""));
        Assert.Contains("refused reserved MAC address 02:00:00:00:dd:01 for interface net: reserved by RESERVED_MACS entry \"0200.0000.dd01\"", podRefused.Message, StringComparison.Ordinal);

        // An invalid list is refused with a Warning Event and the previous list stays.
        await Service.SetRangeConfigAsync(new Dictionary<string, string?> { ["RESERVED_MACS"] = "02:00:00:00:cc:00..02:00:00:00:cc:zz" });
        var warning = await _k.WaitForEventAsync(KubeMacPoolService.Namespace, KubeMacPoolService.RangeConfigMap, "InvalidReservedMacs", "ConfigMap", TimeSpan.FromSeconds(30));
        Assert.Equal("Warning", warning.Type);
        Assert.Contains("invalid RESERVED_MACS entry \"02:00:00:00:cc:00..02:00:00:00:cc:zz\"", warning.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => CreatePod(ns.Name, "p3", """[{"name":"net","mac":"02:00:00:00:cc:20"}]"""));

        // An empty value reserves nothing (the key, present, replaces the KubeVirt default too).
        await Service.SetRangeConfigAsync(new Dictionary<string, string?> { ["RESERVED_MACS"] = "" });
        await _k.EventuallyAsync(
            async () => !await RefusedAsync(() => CreatePod(ns.Name, TestCluster.UniqueName("free"), """[{"name":"net","mac":"02:00:00:00:cc:30"}]"""), "refused reserved MAC address"),
            "an empty RESERVED_MACS to free the block",
            TimeSpan.FromSeconds(30));
    }

    private static async Task<bool> RefusedAsync(Func<Task> create, string message)
    {
        try
        {
            await create();
            return false;
        }
        catch (Exception e) when (e.Message.Contains(message, StringComparison.Ordinal))
        {
            return true;
        }
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "a multicast (group) address")]
    [InlineData("FF:FF:FF:FF:FF:FF", "the broadcast address")]
    [InlineData("00-00-00-00-00-00", "the all-zero address")]
    public async Task Group_and_all_zero_macs_are_refused_for_vms_and_pods_on_create_and_update(string mac, string kind)
    {
        var ns = await _k.CreateNamespaceAsync();
        var canonical = KubeMacPool.Core.Addressing.MacAddress.Parse(mac).ToString();
        var expected = $"invalid MAC address for interface br1: {canonical} is {kind}; only unicast MAC addresses can be requested";

        var create = await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm", ("br1", mac))));
        Assert.Contains(VmDenied + "Failed to create virtual machine allocation error: Failed to allocate mac to the vm object: " + expected, create.Message, StringComparison.Ordinal);

        var pod = await Assert.ThrowsAnyAsync<Exception>(() => CreatePod(ns.Name, "p", $$"""[{"name":"br1","mac":"{{mac}}"}]"""));
        Assert.Contains("denied the request: " + expected, pod.Message, StringComparison.Ordinal);

        var kept = Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm", ("br1", null))))[0];
        var update = await Assert.ThrowsAnyAsync<Exception>(() => _k.PatchCustomObjectAsync(
            CustomResources.VirtualMachines, ns.Name, "vm",
            TestCluster.JsonPatch(new JsonArray(new JsonObject
            {
                ["op"] = "replace",
                ["path"] = "/spec/template/spec/domain/devices/interfaces/0/macAddress",
                ["value"] = mac,
            }))));
        Assert.Contains(VmDenied + "Failed to update virtual machine allocation error: " + expected, update.Message, StringComparison.Ordinal);
        Assert.Equal(kept, Vms.Macs(await _k.GetVirtualMachineAsync(ns.Name, "vm"))[0]);
    }

    [Fact]
    public async Task Objects_that_already_hold_a_group_or_reserved_mac_are_reported_at_startup_and_keep_working()
    {
        // Created where the webhooks do not apply, then managed: as objects admitted before the rules existed.
        var ns = await _k.CreateNamespaceAsync(new Dictionary<string, string>
        {
            [KubeMacPoolService.VirtualMachinesWebhook] = "ignore",
            [KubeMacPoolService.PodsWebhook] = "ignore",
        });
        await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("old-vm", ("br1", "01:00:5e:00:00:42")));
        await CreatePod(ns.Name, "old-pod", """[{"name":"net","mac":"02:00:00:00:00:00"}]""");
        await _k.RemoveNamespaceLabelsAsync(ns.Name, KubeMacPoolService.VirtualMachinesWebhook, KubeMacPoolService.PodsWebhook);
        await Service.RestartAsync();

        var vmEvent = await _k.WaitForEventAsync(ns.Name, "old-vm", "NonUnicastMacAddress", "VirtualMachine", TimeSpan.FromSeconds(30));
        Assert.Equal("Warning", vmEvent.Type);
        Assert.Contains("Interface br1 has MAC 01:00:5e:00:00:42, a multicast (group) address", vmEvent.Message, StringComparison.Ordinal);
        var podEvent = await _k.WaitForEventAsync(ns.Name, "old-pod", "ReservedMacAddressInUse", "Pod", TimeSpan.FromSeconds(30));
        Assert.Contains("Interface net has MAC 02:00:00:00:00:00, reserved by RESERVED_MACS entry \"02:00:00:00:00:00\"", podEvent.Message, StringComparison.Ordinal);

        // Never broken: an update that keeps the MAC is admitted, and the MAC stays.
        var updated = await _k.PatchCustomObjectAsync(
            CustomResources.VirtualMachines, ns.Name, "old-vm",
            TestCluster.MergePatch(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["touched"] = "yes" } } }));
        Assert.Equal("01:00:5e:00:00:42", Vms.Macs(updated)[0]);
    }
}
