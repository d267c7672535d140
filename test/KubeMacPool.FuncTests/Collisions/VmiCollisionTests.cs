using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>Spec §8.1 B (vmi_test.go, collision detection between VMIs) and A7 (VM restart keeps its MAC, no collision).</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VmiCollisionTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : IClassFixture<CollisionServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);
    private CollisionScenario _s = null!;
    private TestNamespace _test = null!;
    private TestNamespace _other = null!;

    public async ValueTask InitializeAsync()
    {
        _s = new CollisionScenario(_k, fixture);
        _test = await _k.CreateNamespaceAsync(prefix: "kmp-vmi");
        _other = await _k.CreateNamespaceAsync(prefix: "kmp-vmi-alt");
        await CollisionScenario.SettleAsync();
    }

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Theory]
    [InlineData("02:00:00:00:00:01")]
    [InlineData("02-00-00-00-00-01")]
    public async Task Two_vmis_with_the_same_in_range_mac_collide(string secondFormat)
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("nad1", "02:00:00:00:00:01"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("nad2", secondFormat));
        await _s.ExpectEventsAsync("02:00:00:00:00:01", a, b);
        await _s.ExpectGaugeAsync("02:00:00:00:00:01", 2);
    }

    [Fact]
    public async Task An_out_of_range_mac_collides_too()
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("nad1", "06:00:00:00:00:00"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("nad1", "06:00:00:00:00:00"));
        await _s.ExpectEventsAsync("06:00:00:00:00:00", a, b);
        await _s.ExpectGaugeAsync("06:00:00:00:00:00", 2);
    }

    [Fact]
    public async Task Three_vmis_with_one_mac_are_listed_together()
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("nad1", "02:00:00:00:00:10"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("nad1", "02:00:00:00:00:10"));
        var c = await _s.RunningVmiAsync(_test.Name, "vmi-c", ("nad1", "02:00:00:00:00:10"));
        await _s.ExpectEventsAsync("02:00:00:00:00:10", a, b, c);
        await _s.ExpectGaugeAsync("02:00:00:00:00:10", 3);
    }

    [Fact]
    public async Task Only_the_shared_mac_of_multi_interface_vmis_collides()
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:00:00:20"), ("net2", "02:00:00:00:00:21"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("net1", "02:00:00:00:00:20"), ("net3", "02:00:00:00:00:22"));
        await _s.ExpectEventsAsync("02:00:00:00:00:20", a, b);
        await _s.ExpectGaugeAsync("02:00:00:00:00:20", 2);
        Assert.Equal(0, await fixture.CollisionGaugeAsync("02:00:00:00:00:21"));
        Assert.Equal(0, await fixture.CollisionGaugeAsync("02:00:00:00:00:22"));
    }

    [Fact]
    public async Task One_vmi_can_collide_on_two_macs_with_two_others()
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:00:00:30"), ("net2", "02:00:00:00:00:31"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("net1", "02:00:00:00:00:30"));
        var c = await _s.RunningVmiAsync(_test.Name, "vmi-c", ("net2", "02:00:00:00:00:31"));
        await _s.ExpectEventsAsync("02:00:00:00:00:30", a, b);
        await _s.ExpectEventsAsync("02:00:00:00:00:31", a, c);
        await _s.ExpectGaugeAsync("02:00:00:00:00:30", 2);
        await _s.ExpectGaugeAsync("02:00:00:00:00:31", 2);
    }

    [Fact]
    public async Task Deleting_one_vmi_clears_the_collision()
    {
        await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:00:00:40"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("net1", "02:00:00:00:00:40"));
        await _s.ExpectGaugeAsync("02:00:00:00:00:40", 2);
        await _s.DeleteAsync(b);
        await _s.ExpectGaugeAsync("02:00:00:00:00:40", 0);
    }

    [Fact]
    public async Task A_vmi_that_stops_running_no_longer_collides()
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:00:00:41"));
        await _s.RunningVmiAsync(_test.Name, "vmi-b", ("net1", "02:00:00:00:00:41"));
        await _s.ExpectGaugeAsync("02:00:00:00:00:41", 2);
        await _k.SetVirtualMachineInstancePhaseAsync(a.Namespace, a.Name, "Succeeded");
        await _s.ExpectGaugeAsync("02:00:00:00:00:41", 0);
    }

    [Fact]
    public async Task Deleting_one_vmi_clears_only_its_collision()
    {
        await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:00:00:50"), ("net2", "02:00:00:00:00:51"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("net1", "02:00:00:00:00:50"));
        await _s.RunningVmiAsync(_test.Name, "vmi-c", ("net2", "02:00:00:00:00:51"));
        await _s.ExpectGaugeAsync("02:00:00:00:00:50", 2);
        await _s.ExpectGaugeAsync("02:00:00:00:00:51", 2);
        await _s.DeleteAsync(b);
        await _s.ExpectGaugeAsync("02:00:00:00:00:50", 0);
        Assert.Equal(2, await fixture.CollisionGaugeAsync("02:00:00:00:00:51"));
    }

    [Fact]
    public async Task A_collision_with_a_vmi_from_before_a_restart_is_detected()
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:ff:ff:ff:ff"));
        await _s.ExpectNoCollisionAsync("02:00:ff:ff:ff:ff", a);
        await fixture.Service.RestartAsync();
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("net1", "02:00:ff:ff:ff:ff"));
        await _s.ExpectEventsAsync("02:00:ff:ff:ff:ff", a, b);
        await _s.ExpectGaugeAsync("02:00:ff:ff:ff:ff", 2);
    }

    [Fact]
    public async Task Opt_in_mode_both_vmis_in_an_opted_in_namespace_collide()
    {
        await fixture.Service.SetOptModeAsync(CollisionScenario.VirtualMachinesWebhook, optIn: true);
        try
        {
            await _other.SetLabelAsync(CollisionScenario.VirtualMachinesWebhook, "allocate");
            await CollisionScenario.SettleAsync();
            var a = await _s.RunningVmiAsync(_other.Name, "vmi-a", ("net1", "02:00:00:11:22:33"));
            var b = await _s.RunningVmiAsync(_other.Name, "vmi-b", ("net1", "02:00:00:11:22:33"));
            await _s.ExpectEventsAsync("02:00:00:11:22:33", a, b);
            await _s.ExpectGaugeAsync("02:00:00:11:22:33", 2);
        }
        finally
        {
            await fixture.Service.SetOptModeAsync(CollisionScenario.VirtualMachinesWebhook, optIn: false);
        }
    }

    [Fact]
    public async Task Opt_in_mode_a_vmi_in_an_unmanaged_namespace_does_not_collide()
    {
        await fixture.Service.SetOptModeAsync(CollisionScenario.VirtualMachinesWebhook, optIn: true);
        try
        {
            await _other.SetLabelAsync(CollisionScenario.VirtualMachinesWebhook, "allocate");
            await CollisionScenario.SettleAsync();
            var unmanaged = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:77:88:99"));
            var managed = await _s.RunningVmiAsync(_other.Name, "vmi-b", ("net1", "02:00:00:77:88:99"));
            await _s.ExpectNoCollisionAsync("02:00:00:77:88:99", unmanaged, managed);
        }
        finally
        {
            await fixture.Service.SetOptModeAsync(CollisionScenario.VirtualMachinesWebhook, optIn: false);
        }
    }

    [Fact]
    public async Task Opt_out_mode_both_vmis_in_a_managed_namespace_collide()
    {
        var a = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:44:55:66"));
        var b = await _s.RunningVmiAsync(_test.Name, "vmi-b", ("net1", "02:00:00:44:55:66"));
        await _s.ExpectEventsAsync("02:00:00:44:55:66", a, b);
        await _s.ExpectGaugeAsync("02:00:00:44:55:66", 2);
    }

    [Fact]
    public async Task Opt_out_mode_a_vmi_in_an_opted_out_namespace_does_not_collide()
    {
        await _other.SetLabelAsync(CollisionScenario.VirtualMachinesWebhook, "ignore");
        await CollisionScenario.SettleAsync();
        var managed = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:88:99:aa"));
        var optedOut = await _s.RunningVmiAsync(_other.Name, "vmi-b", ("net1", "02:00:00:88:99:aa"));
        await _s.ExpectNoCollisionAsync("02:00:00:88:99:aa", managed, optedOut);
    }

    [Fact]
    public async Task Opting_a_namespace_out_later_clears_its_collision()
    {
        await _s.RunningVmiAsync(_test.Name, "vmi-a", ("net1", "02:00:00:88:99:ab"));
        await _s.RunningVmiAsync(_other.Name, "vmi-b", ("net1", "02:00:00:88:99:ab"));
        await _s.ExpectGaugeAsync("02:00:00:88:99:ab", 2);
        await _other.SetLabelAsync(CollisionScenario.VirtualMachinesWebhook, "ignore");
        await _s.ExpectGaugeAsync("02:00:00:88:99:ab", 0);
    }

    /// <summary>
    /// A7: a VM with a set MAC restarts (virtctl restart: its VMI is deleted and a new one with a new UID and the same
    /// name starts). Without virt-controller the test plays that part.
    /// </summary>
    [Fact]
    public async Task A_vm_restart_with_a_set_mac_is_not_a_collision()
    {
        const string Mac = "02:00:00:00:00:99";
        await _k.CreateNetworkAttachmentDefinitionAsync(_test.Name, "br-reboot", TestCluster.BridgeCniConfig("br-reboot"));
        var vm = Vms.Bridged("testvm-reboot", ("br-reboot", Mac));
        vm["spec"]!["runStrategy"] = "Always";
        var created = await _k.CreateVirtualMachineAsync(_test.Name, vm);
        Assert.Equal([Mac], Vms.Macs(created));

        var first = await _s.RunningVmiAsync(_test.Name, "testvm-reboot", ("br-reboot", Mac));
        var firstUid = (await _k.GetVirtualMachineInstanceAsync(_test.Name, first.Name))["metadata"]!["uid"]!.GetValue<string>();
        await _s.DeleteAsync(first);
        var second = await _s.RunningVmiAsync(_test.Name, "testvm-reboot", ("br-reboot", Mac));
        var secondUid = (await _k.GetVirtualMachineInstanceAsync(_test.Name, second.Name))["metadata"]!["uid"]!.GetValue<string>();
        Assert.NotEqual(firstUid, secondUid);
        await _s.ExpectNoCollisionAsync(Mac, second);
    }

    /// <summary>The two sides of one live migration hold the same MAC on purpose (spec §3.15): not a collision.</summary>
    [Fact]
    public async Task Source_and_target_of_one_migration_do_not_collide()
    {
        const string Mac = "02:00:00:00:00:51";
        var source = await _s.RunningVmiAsync(_test.Name, "vm-mig", ("net1", Mac));
        var target = await _s.RunningVmiAsync(_other.Name, "vm-mig", ("net1", Mac));
        await _s.ExpectGaugeAsync(Mac, 2);
        var migration = new JsonObject { ["sourceState"] = new JsonObject { ["migrationUID"] = "m-1" }, ["targetState"] = new JsonObject { ["migrationUID"] = "m-2" } };
        foreach (var side in new[] { source, target })
        {
            await _k.PatchCustomObjectStatusAsync(
                CustomResources.VirtualMachineInstances, side.Namespace, side.Name,
                TestCluster.MergePatch(new JsonObject { ["status"] = new JsonObject { ["migrationState"] = migration.DeepClone() } }));
        }

        await _s.ExpectGaugeAsync(Mac, 0);
    }
}
