using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// Spec §8.1 B (vmi_test.go, collision detection between VMIs) and A7 (VM restart keeps its MAC, no collision); the
/// scenarios shared with pods are in <see cref="SameKindCollisionTests"/>.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VmiCollisionTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : SameKindCollisionTests(cluster, fixture), IClassFixture<CollisionServiceFixture>
{
    protected override string Kind => "vmi";

    protected override string Webhook => CollisionScenario.VirtualMachinesWebhook;

    protected override string MacMiddle => "00:00:00:00";

    protected override Task<RunningObject> RunningAsync(string ns, string name, params (string Network, string Mac)[] nics) =>
        S.RunningVmiAsync(ns, name, nics);

    [Fact]
    public async Task A_vmi_that_stops_running_no_longer_collides()
    {
        var a = await S.RunningVmiAsync(Test.Name, "vmi-a", ("net1", "02:00:00:00:00:41"));
        await S.RunningVmiAsync(Test.Name, "vmi-b", ("net1", "02:00:00:00:00:41"));
        await S.ExpectGaugeAsync("02:00:00:00:00:41", 2);
        await K.SetVirtualMachineInstancePhaseAsync(a.Namespace, a.Name, "Succeeded");
        await S.ExpectGaugeAsync("02:00:00:00:00:41", 0);
    }

    [Fact]
    public async Task A_collision_with_a_vmi_from_before_a_restart_is_detected()
    {
        var a = await S.RunningVmiAsync(Test.Name, "vmi-a", ("net1", "02:00:ff:ff:ff:ff"));
        await S.ExpectNoCollisionAsync("02:00:ff:ff:ff:ff", a);
        await Fixture.Service.RestartAsync();
        var b = await S.RunningVmiAsync(Test.Name, "vmi-b", ("net1", "02:00:ff:ff:ff:ff"));
        await S.ExpectEventsAsync("02:00:ff:ff:ff:ff", a, b);
        await S.ExpectGaugeAsync("02:00:ff:ff:ff:ff", 2);
    }

    [Fact]
    public async Task Opt_out_mode_both_vmis_in_a_managed_namespace_collide()
    {
        var a = await S.RunningVmiAsync(Test.Name, "vmi-a", ("net1", "02:00:00:44:55:66"));
        var b = await S.RunningVmiAsync(Test.Name, "vmi-b", ("net1", "02:00:00:44:55:66"));
        await S.ExpectEventsAsync("02:00:00:44:55:66", a, b);
        await S.ExpectGaugeAsync("02:00:00:44:55:66", 2);
    }

    [Fact]
    public async Task Opt_out_mode_a_vmi_in_an_opted_out_namespace_does_not_collide()
    {
        await Other.SetLabelAsync(CollisionScenario.VirtualMachinesWebhook, "ignore");
        await CollisionScenario.SettleAsync();
        var managed = await S.RunningVmiAsync(Test.Name, "vmi-a", ("net1", "02:00:00:88:99:aa"));
        var optedOut = await S.RunningVmiAsync(Other.Name, "vmi-b", ("net1", "02:00:00:88:99:aa"));
        await S.ExpectNoCollisionAsync("02:00:00:88:99:aa", managed, optedOut);
    }

    [Fact]
    public async Task Opting_a_namespace_out_later_clears_its_collision()
    {
        await S.RunningVmiAsync(Test.Name, "vmi-a", ("net1", "02:00:00:88:99:ab"));
        await S.RunningVmiAsync(Other.Name, "vmi-b", ("net1", "02:00:00:88:99:ab"));
        await S.ExpectGaugeAsync("02:00:00:88:99:ab", 2);
        await Other.SetLabelAsync(CollisionScenario.VirtualMachinesWebhook, "ignore");
        await S.ExpectGaugeAsync("02:00:00:88:99:ab", 0);
    }

    /// <summary>
    /// A7: a VM with a set MAC restarts (virtctl restart: its VMI is deleted and a new one with a new UID and the same
    /// name starts). Without virt-controller the test plays that part.
    /// </summary>
    [Fact]
    public async Task A_vm_restart_with_a_set_mac_is_not_a_collision()
    {
        const string Mac = "02:00:00:00:00:99";
        await K.CreateNetworkAttachmentDefinitionAsync(Test.Name, "br-reboot", TestCluster.BridgeCniConfig("br-reboot"));
        var vm = Vms.Bridged("testvm-reboot", ("br-reboot", Mac));
        vm["spec"]!["runStrategy"] = "Always";
        var created = await K.CreateVirtualMachineAsync(Test.Name, vm);
        Assert.Equal([Mac], Vms.Macs(created));

        var first = await S.RunningVmiAsync(Test.Name, "testvm-reboot", ("br-reboot", Mac));
        var firstUid = (await K.GetVirtualMachineInstanceAsync(Test.Name, first.Name))["metadata"]!["uid"]!.GetValue<string>();
        await S.DeleteAsync(first);
        var second = await S.RunningVmiAsync(Test.Name, "testvm-reboot", ("br-reboot", Mac));
        var secondUid = (await K.GetVirtualMachineInstanceAsync(Test.Name, second.Name))["metadata"]!["uid"]!.GetValue<string>();
        Assert.NotEqual(firstUid, secondUid);
        await S.ExpectNoCollisionAsync(Mac, second);
    }

    /// <summary>The two sides of one live migration hold the same MAC on purpose (spec §3.15): not a collision.</summary>
    [Fact]
    public async Task Source_and_target_of_one_migration_do_not_collide()
    {
        const string Mac = "02:00:00:00:00:51";
        var source = await S.RunningVmiAsync(Test.Name, "vm-mig", ("net1", Mac));
        var target = await S.RunningVmiAsync(Other.Name, "vm-mig", ("net1", Mac));
        await S.ExpectGaugeAsync(Mac, 2);
        var migration = new JsonObject { ["sourceState"] = new JsonObject { ["migrationUID"] = "m-1" }, ["targetState"] = new JsonObject { ["migrationUID"] = "m-2" } };
        foreach (var side in new[] { source, target })
        {
            await K.PatchCustomObjectStatusAsync(
                CustomResources.VirtualMachineInstances, side.Namespace, side.Name,
                TestCluster.MergePatch(new JsonObject { ["status"] = new JsonObject { ["migrationState"] = migration.DeepClone() } }));
        }

        await S.ExpectGaugeAsync(Mac, 0);
    }
}
