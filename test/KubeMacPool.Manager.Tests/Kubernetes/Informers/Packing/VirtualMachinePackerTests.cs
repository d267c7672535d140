using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Informers.Packing;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers.Packing;

/// <summary>A VM cached as bytes must open exactly as the trimmed VM that went in, its packed spec byte for byte.</summary>
public sealed class VirtualMachinePackerTests
{
    private const string NoSpec = "no spec";

    // Shapes of spec the trim keeps: the usual one, one array only, an empty template, no template, no spec, and a
    // spec whose interface carries the text the packer splits at.
    public static TheoryData<string> Specs =>
    [
        """{"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:01"}]}},"networks":[{"name":"default","pod":{}}]}}}""",
        """{"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"a"}]}}}}}""",
        """{"template":{"spec":{"networks":[{"name":"a","multus":{"networkName":"ns/br"}}]}}}""",
        """{"template":{"spec":{}}}""",
        """{"runStrategy":"Always"}""",
        NoSpec,
        """{"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"]}},\"networks\":[","x":{"y":{"z":[1]}},"networks":[]}]}},"networks":[{"name":"ü"}]}}}""",
    ];

    [Theory]
    [MemberData(nameof(Specs))]
    public void A_trimmed_vm_opens_as_it_was_packed(string spec)
    {
        var vm = Vm(spec);
        var trimmed = CacheTrims.VirtualMachine(vm);

        var opened = RoundTrip(trimmed);

        Assert.Equal(VirtualMachineReaderTests.Canonical(trimmed), VirtualMachineReaderTests.Canonical(opened));
        Assert.Equal(trimmed.PackedSpec?.ToArray(), opened.PackedSpec?.ToArray());
        Assert.Equal(trimmed.IsPacked, opened.IsPacked);
    }

    [Fact]
    public void Every_kept_field_survives()
    {
        var trimmed = CacheTrims.VirtualMachine(KubernetesJson.Deserialize<VirtualMachine>(VirtualMachineReaderTests.FullVm));
        trimmed.Metadata.Uid = "6f1d2a40-3b5c-4e7d-9a1b-2c3d4e5f6a7b";

        var opened = RoundTrip(trimmed);

        Assert.Equal(VirtualMachineReaderTests.Canonical(trimmed), VirtualMachineReaderTests.Canonical(opened));
        Assert.Equal(
            (trimmed.Metadata.Uid, trimmed.Metadata.Generation, trimmed.Metadata.DeletionTimestamp, trimmed.Metadata.DeletionTimestamp?.Kind),
            (opened.Metadata.Uid, opened.Metadata.Generation, opened.Metadata.DeletionTimestamp, opened.Metadata.DeletionTimestamp?.Kind));
        Assert.Equal(trimmed.Metadata.Finalizers, opened.Metadata.Finalizers);
        Assert.Equal(trimmed.Metadata.Annotations.ToList(), opened.Metadata.Annotations.ToList());
        Assert.Same(trimmed.ApiVersion, opened.ApiVersion);
        Assert.Same(trimmed.Kind, opened.Kind);
    }

    [Fact]
    public void A_vm_that_was_not_trimmed_keeps_its_spec_as_json()
    {
        var vm = KubernetesJson.Deserialize<VirtualMachine>(VirtualMachineReaderTests.FullVm);

        var opened = RoundTrip(vm);

        Assert.True(JsonNode.DeepEquals(vm.Spec, opened.Spec));
    }

    [Fact]
    public void The_usual_spec_is_held_without_its_wrapper()
    {
        var trimmed = CacheTrims.VirtualMachine(KubernetesJson.Deserialize<VirtualMachine>(VirtualMachineReaderTests.FullVm));
        var spec = trimmed.PackedSpec!.Value.ToArray();
        var unsplit = CacheTrims.VirtualMachine(KubernetesJson.Deserialize<VirtualMachine>(VirtualMachineReaderTests.FullVm));
        unsplit.PackSpec([.. spec, (byte)' ']);

        Assert.True(VirtualMachineSpecs.TrySplit(spec, out _, out _));
        Assert.False(VirtualMachineSpecs.TrySplit(unsplit.PackedSpec!.Value.Span, out _, out _));
        var saved = VirtualMachinePacker.Instance.Pack(unsplit).Length - VirtualMachinePacker.Instance.Pack(trimmed).Length;
        Assert.InRange(saved, 60, 75);
    }

    [Theory]
    [InlineData("""{"template":{"spec":{"domain":{"devices":{"interfaces":[}},"networks":[]}}}""")]
    [InlineData("""{"template":{"spec":{"domain":{"devices":{"interfaces":[]}},"networks":[]} }}""")]
    [InlineData("""{"template":{"spec":{"domain":{"devices":{"interfaces":[]}},"networks":[]]}}}""")]
    [InlineData("""{"template":{"spec":{"domain":{"devices":{"interfaces":[]}}, "networks":[]}}}""")]
    public void A_spec_of_another_shape_is_not_split(string spec) =>
        Assert.False(VirtualMachineSpecs.TrySplit(Encoding.UTF8.GetBytes(spec), out _, out _));

    private static VirtualMachine Vm(string spec)
    {
        var vm = new VirtualMachine { Metadata = new V1ObjectMeta { Name = "vm", NamespaceProperty = "ns", Uid = "u" } };
        vm.Spec = spec == NoSpec ? null : (JsonObject)JsonNode.Parse(spec)!;
        return vm;
    }

    private static VirtualMachine RoundTrip(VirtualMachine vm) =>
        VirtualMachinePacker.Instance.Unpack(ObjectKey.Of(vm), VirtualMachinePacker.Instance.Pack(vm));
}
