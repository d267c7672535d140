using System.Text.Json.Nodes;
using k8s.Models;
using KubeMacPool.Manager.Collisions;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Tests.Collisions;

/// <summary>
/// Which MACs of a pod or VMI the collision checks count, and when (spec §9 maccollision: pods only once Multus wrote
/// network-status, virt-launcher pods left to their VMI, Running only, MACs normalised, empty ones skipped).
/// </summary>
public sealed class ObservationTests
{
    private const string Networks = "k8s.v1.cni.cncf.io/networks";
    private const string NetworkStatus = "k8s.v1.cni.cncf.io/network-status";

    private static V1Pod Pod(string phase, Dictionary<string, string> annotations, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "u1", Annotations = annotations, Labels = labels },
        Status = new V1PodStatus { Phase = phase },
    };

    private static VirtualMachineInstance Vmi(string phase, JsonArray interfaces, JsonObject? migrationState = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "v", NamespaceProperty = "ns", Uid = "u2" },
        Status = new JsonObject { ["phase"] = phase, ["interfaces"] = interfaces, ["migrationState"] = migrationState },
    };

    private static List<string> Sorted(ObservedObject o) => o.Macs.Select(m => m.ToString()).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void A_running_pod_with_network_status_counts_its_annotation_macs_normalised()
    {
        var pod = Pod("Running", new()
        {
            [Networks] = """[{"name":"a","mac":"02-00-00-00-00-0A"},{"name":"b","mac":"02:00:00:00:00:0b"},{"name":"c"}]""",
            [NetworkStatus] = "[]",
        });
        var seen = PodCollisionController.Observation(pod);
        Assert.Equal("pod/ns/p", seen.Key);
        Assert.True(seen.Running);
        Assert.Equal(["02:00:00:00:00:0a", "02:00:00:00:00:0b"], Sorted(seen));
        Assert.Equal(("Pod", "u1"), (seen.Target.Kind, seen.Uid));
    }

    [Fact]
    public void A_pod_without_network_status_counts_nothing_yet()
    {
        var seen = PodCollisionController.Observation(Pod("Running", new() { [Networks] = """[{"name":"a","mac":"02:00:00:00:00:0a"}]""" }));
        Assert.Empty(seen.Macs);
        Assert.False(seen.Running);
    }

    [Fact]
    public void A_virt_launcher_pod_is_left_to_its_vmi()
    {
        var annotations = new Dictionary<string, string> { [Networks] = """[{"name":"a","mac":"02:00:00:00:00:0a"}]""", [NetworkStatus] = "[]" };
        var seen = PodCollisionController.Observation(Pod("Running", annotations, new() { ["kubevirt.io"] = "virt-launcher" }));
        Assert.Empty(seen.Macs);
    }

    [Theory]
    [InlineData("Pending")]
    [InlineData("Succeeded")]
    [InlineData("Failed")]
    public void A_pod_that_does_not_run_keeps_its_macs_but_is_not_running(string phase)
    {
        var seen = PodCollisionController.Observation(Pod(phase, new() { [Networks] = """[{"name":"a","mac":"02:00:00:00:00:0a"}]""", [NetworkStatus] = "[]" }));
        Assert.False(seen.Running);
        Assert.Single(seen.Macs);
    }

    [Theory]
    [InlineData("net1,ns/net2@eth1")]
    [InlineData("{not json")]
    [InlineData("""[{"name":"a","mac":"not-a-mac"}]""")]
    public void Unparsable_annotations_and_macs_count_nothing_and_do_not_throw(string networks)
    {
        var seen = PodCollisionController.Observation(Pod("Running", new() { [Networks] = networks, [NetworkStatus] = "[]" }));
        Assert.Empty(seen.Macs);
    }

    [Fact]
    public void A_running_vmi_counts_every_status_mac_once_and_skips_empty_ones()
    {
        var interfaces = new JsonArray(
            new JsonObject { ["name"] = "a", ["mac"] = "02:00:00:00:00:0A" },
            new JsonObject { ["name"] = "b", ["mac"] = "02-00-00-00-00-0a" },
            new JsonObject { ["name"] = "c", ["mac"] = "" },
            new JsonObject { ["name"] = "d" });
        var seen = VirtualMachineInstanceCollisionController.Observation(Vmi("Running", interfaces));
        Assert.Equal("vmi/ns/v", seen.Key);
        Assert.True(seen.Running);
        Assert.Equal(["02:00:00:00:00:0a"], Sorted(seen));
    }

    [Fact]
    public void A_vmi_carries_its_migration_uids_and_only_running_counts()
    {
        var migration = new JsonObject
        {
            ["sourceState"] = new JsonObject { ["migrationUID"] = "m-src" },
            ["targetState"] = new JsonObject { ["migrationUID"] = "m-dst" },
        };
        var interfaces = new JsonArray(new JsonObject { ["name"] = "a", ["mac"] = "02:00:00:00:00:01" });
        var seen = VirtualMachineInstanceCollisionController.Observation(Vmi("Scheduled", interfaces, migration));
        Assert.False(seen.Running);
        Assert.Equal(("m-src", "m-dst"), (seen.SourceMigrationUid, seen.TargetMigrationUid));
    }
}
