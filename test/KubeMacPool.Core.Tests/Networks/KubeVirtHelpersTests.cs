using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Networks;

public class KubeVirtHelpersTests
{
    [Theory]
    [InlineData("kubemacpool.io/transaction-timestamp", "/metadata/annotations/kubemacpool.io~1transaction-timestamp")]
    [InlineData("k8s.v1.cni.cncf.io/networks", "/metadata/annotations/k8s.v1.cni.cncf.io~1networks")]
    [InlineData("a~b/c~1", "/metadata/annotations/a~0b~1c~01")]
    [InlineData("plain", "/metadata/annotations/plain")]
    public void Annotation_pointers_are_escaped(string key, string expected) => Assert.Equal(expected, JsonPointer.Annotation(key));

    [Fact]
    public void Interface_mac_pointers_name_the_index()
    {
        Assert.Equal("/spec/template/spec/domain/devices/interfaces/0/macAddress", JsonPointer.InterfaceMacAddress(0));
        Assert.Equal("/spec/template/spec/domain/devices/interfaces/12/macAddress", JsonPointer.InterfaceMacAddress(12));
        Assert.Equal("/spec/template/spec/domain/devices/interfaces/123/macAddress", JsonPointer.InterfaceMacAddress(123));
    }

    [Fact]
    public void Pointers_admissions_ask_for_again_are_made_once_and_any_key_still_gets_its_own()
    {
        Assert.Same(JsonPointer.Annotation("kubemacpool.io/transaction-timestamp"), JsonPointer.Annotation("kubemacpool.io/transaction-timestamp"));
        Assert.Same(JsonPointer.InterfaceMacAddress(1), JsonPointer.InterfaceMacAddress(1));

        // The cache is bounded; keys past it are escaped on every call, never confused with each other.
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"/metadata/annotations/key~1{i}", JsonPointer.Annotation($"key/{i}"));
        }
    }

    [Fact]
    public void A_vmi_status_gives_phase_macs_and_migration_uids()
    {
        var vmi = JsonNode.Parse("""
            {"metadata":{"name":"vmi"},"status":{"phase":"Running",
              "interfaces":[{"name":"default","mac":"02:00:00:00:00:01","ipAddress":"10.0.0.1"},{"interfaceName":"eth1","mac":""},{"name":"br","mac":"02:00:00:00:00:02"},"junk"],
              "migrationState":{"sourceState":{"migrationUID":"m-1"},"targetState":{"migrationUID":"m-2","node":"n"}}}}
            """)!.AsObject();
        var status = VirtualMachineInstanceStatusView.Read(vmi);
        Assert.True(status.IsRunning);
        Assert.Equal([new VmiInterfaceStatus("default", "02:00:00:00:00:01"), new VmiInterfaceStatus(null, null), new VmiInterfaceStatus("br", "02:00:00:00:00:02")], status.Interfaces);
        Assert.Equal(["02:00:00:00:00:01", "02:00:00:00:00:02"], status.Macs);
        Assert.Equal("m-1", status.SourceMigrationUid);
        Assert.Equal("m-2", status.TargetMigrationUid);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"status":null}""")]
    [InlineData("""{"status":[]}""")]
    [InlineData("""{"status":{"phase":3,"interfaces":{"a":1},"migrationState":"x"}}""")]
    [InlineData("""{"status":{"migrationState":{"sourceState":[],"targetState":{"migrationUID":7}}}}""")]
    [InlineData("""{"status":{},"status":{}}""")]
    public void A_missing_or_odd_vmi_status_reads_as_empty(string vmi)
    {
        var status = VirtualMachineInstanceStatusView.Read(JsonNode.Parse(vmi)!.AsObject());
        Assert.False(status.IsRunning);
        Assert.Null(status.Phase);
        Assert.Empty(status.Interfaces);
        Assert.Null(status.SourceMigrationUid);
        Assert.Null(status.TargetMigrationUid);
    }

    [Fact]
    public void The_vmi_owner_of_a_launcher_pod_is_found()
    {
        var pod = JsonNode.Parse("""
            {"metadata":{"ownerReferences":[{"kind":"ReplicaSet","name":"rs"},{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","name":"vm1","uid":"u"}]}}
            """)!.AsObject();
        Assert.Equal("vm1", VirtLauncher.FindVmiOwnerName(pod));
        Assert.Equal("vm1", VirtLauncher.FindVmiOwnerName([("Pod", "x"), ("VirtualMachineInstance", "vm1")]));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"metadata":{"ownerReferences":[{"kind":"ReplicaSet","name":"rs"}]}}""")]
    [InlineData("""{"metadata":{"ownerReferences":[{"kind":"virtualmachineinstance","name":"vm"}]}}""")]
    [InlineData("""{"metadata":{"ownerReferences":[{"kind":"VirtualMachineInstance"}]}}""")]
    [InlineData("""{"metadata":{"ownerReferences":"x"}}""")]
    [InlineData("""{"metadata":{"ownerReferences":[1,{"kind":5,"name":"vm"}]}}""")]
    public void A_pod_without_a_vmi_owner_has_none(string pod) =>
        Assert.Null(VirtLauncher.FindVmiOwnerName(JsonNode.Parse(pod)!.AsObject()));

    [Fact]
    public void Launcher_pods_are_recognised_by_their_label()
    {
        Assert.True(VirtLauncher.IsVirtLauncher(new Dictionary<string, string> { ["app"] = "x", ["kubevirt.io"] = "virt-launcher" }));
        Assert.False(VirtLauncher.IsVirtLauncher(new Dictionary<string, string> { ["kubevirt.io"] = "virt-handler" }));
        Assert.False(VirtLauncher.IsVirtLauncher(null));
    }

    [Fact]
    public void Reading_any_json_under_a_vm_never_throws()
    {
        var keys = Gen.OneOf(Gen.Const("spec"), Gen.Const("template"), Gen.Const("domain"), Gen.Const("devices"), Gen.Const("interfaces"),
            Gen.Const("networks"), Gen.Const("name"), Gen.Const("macAddress"), Gen.Const("masquerade"), Gen.Const("multus"), Gen.Const("pod"),
            Gen.Const("binding"), Gen.Const("networkName"), Gen.Const("default"), Gen.Const("status"), Gen.Const("phase"), Gen.Const("migrationState"));
        var leaf = Gen.OneOf(Gen.Const("{}"), Gen.Const("[]"), Gen.Const("null"), Gen.Const("1"), Gen.Const("\"x\""), Gen.Const("true"));
        var node = Gen.Recursive<string>((depth, self) => depth >= 7
            ? leaf
            : Gen.Frequency(
                (1, leaf),
                (3, Gen.Select(keys, self).Array[0, 3].Select(fields => "{" + string.Join(",", fields.DistinctBy(f => f.Item1).Select(f => $"\"{f.Item1}\":{f.Item2}")) + "}")),
                (1, self.Array[0, 3].Select(items => "[" + string.Join(",", items) + "]"))));
        node.Where(text => text.StartsWith('{')).Sample(text =>
        {
            var obj = JsonNode.Parse(text)!.AsObject();
            var view = VirtualMachineInterfaces.Read(obj);
            Assert.True(view.Error is null || (view.Error.StartsWith("invalid virtual machine: ", StringComparison.Ordinal) && view.Interfaces.Count == 0));
            _ = view.InterfacesGettingMacs;
            _ = VirtualMachineInterfaces.InterfacesNode(obj);
            Assert.False(VirtualMachineInterfaces.InterfacesDiffer(obj, obj));

            // The admission path reads the review's element directly: the same answer as the tree.
            using var document = JsonDocument.Parse(text);
            var fromElement = VirtualMachineInterfaces.Read(document.RootElement);
            Assert.Equal((view.HasTemplate, view.Error), (fromElement.HasTemplate, fromElement.Error));
            Assert.Equal(view.Interfaces, fromElement.Interfaces);
            Assert.Equal(view.Networks, fromElement.Networks);
            Assert.False(VirtualMachineInterfaces.InterfacesDiffer(document.RootElement, document.RootElement));
            _ = VirtualMachineInstanceStatusView.Read(obj);
            _ = VirtLauncher.FindVmiOwnerName(obj);
        }, iter: 3000);
    }
}
