using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>
/// The first VM list is read straight into the cached shape; a watch event is read whole and trimmed. Both paths must
/// keep exactly the same fields, or a VM's cached copy would depend on how it arrived.
/// </summary>
public sealed class VirtualMachineReaderTests
{
    // A VM as the API server returns it: managedFields, a status, annotations we keep and some we do not.
    internal const string FullVm = """
        {
          "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
          "metadata": {
            "name": "vm-a", "namespace": "ns1", "uid": "u-1", "resourceVersion": "42", "generation": 3,
            "creationTimestamp": "2026-11-29T21:29:21Z", "deletionTimestamp": "2026-11-29T22:00:00Z",
            "finalizers": ["k8s.v1.cni.cncf.io/kubeMacPoolCleanUp"],
            "labels": {"app": "x"},
            "annotations": {"kubemacpool.io/transaction-timestamp": "2026-01-01T00:00:00Z", "other": "dropped",
                            "kubectl.kubernetes.io/last-applied-configuration": "{\"big\":true}"},
            "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "kubevirt.io/v1",
                               "time": "2026-11-29T21:29:21Z", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:spec": {"f:template": {".": {}}}}}]
          },
          "spec": {
            "runStrategy": "Halted",
            "template": {
              "metadata": {"labels": {"kubevirt.io/vm": "vm-a"}},
              "spec": {
                "domain": {"cpu": {"cores": 2}, "devices": {"disks": [{"name": "d"}],
                  "interfaces": [{"name": "default", "masquerade": {}, "macAddress": "02:50:00:00:00:00"},
                                 {"name": "br1", "bridge": {}, "macAddress": "02:50:00:00:00:01"}]}},
                "networks": [{"name": "default", "pod": {}}, {"name": "br1", "multus": {"networkName": "br1"}}],
                "volumes": [{"name": "d", "containerDisk": {"image": "x"}}]
              }
            }
          },
          "status": {"printableStatus": "Stopped", "conditions": [{"type": "Ready", "status": "False"}]}
        }
        """;

    internal const string NoTemplateVm = """
        {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
         "metadata": {"name": "vm-b", "namespace": "ns1", "uid": "u-2", "resourceVersion": "43", "annotations": null},
         "spec": {"runStrategy": "Always"}}
        """;

    private static string List(params string[] items) =>
        $$"""{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineList", "metadata": {"continue": "c1", "resourceVersion": "99"}, "items": [{{string.Join(",", items)}}]}""";

    [Fact]
    public void A_listed_vm_is_cached_exactly_as_a_watched_one_is_trimmed()
    {
        var listed = ListVms(List(FullVm, NoTemplateVm));

        Assert.Equal("c1", listed.Continue);
        Assert.Equal("99", listed.ResourceVersion);
        Assert.Equal(2, listed.Items.Count);
        foreach (var (item, json) in listed.Items.Zip([FullVm, NoTemplateVm]))
        {
            var watched = CacheTrims.VirtualMachine(KubernetesJson.Deserialize<VirtualMachine>(json));
            Assert.True(item.IsPacked);
            Assert.Equal(Canonical(watched), Canonical(item));
        }
    }

    [Fact]
    public void Only_what_the_pool_reads_is_kept()
    {
        var vm = ListVms(List(FullVm)).Items.Single();

        Assert.Equal(("vm-a", "ns1", "u-1", 3L), (vm.Metadata.Name, vm.Metadata.NamespaceProperty, vm.Metadata.Uid, vm.Metadata.Generation));
        Assert.Null(vm.Metadata.ResourceVersion);
        Assert.Equal(new DateTime(2026, 11, 29, 22, 0, 0, DateTimeKind.Utc), vm.Metadata.DeletionTimestamp);
        Assert.Equal(["k8s.v1.cni.cncf.io/kubeMacPoolCleanUp"], vm.Metadata.Finalizers);
        Assert.Equal(["kubemacpool.io/transaction-timestamp"], vm.Metadata.Annotations.Keys);
        Assert.Same(WellKnown.TransactionTimestampAnnotation, vm.Metadata.Annotations.Keys.Single());
        Assert.Null(vm.Metadata.ManagedFields);
        Assert.Null(vm.Metadata.Labels);
        Assert.Null(vm.Status);
        Assert.Equal(
            """{"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{},"macAddress":"02:50:00:00:00:00"},{"name":"br1","bridge":{},"macAddress":"02:50:00:00:00:01"}]}},"networks":[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}}]}}}""",
            vm.Spec!.ToJsonString());
    }

    [Fact]
    public void An_escaped_kept_key_is_still_kept()
    {
        var escaped = FullVm.Replace("\"kubemacpool.io/transaction-timestamp\"", "\"kubemacpool.io\\/transaction-timestamp\"", StringComparison.Ordinal);
        var vm = ListVms(List(escaped)).Items.Single();

        Assert.Same(WellKnown.TransactionTimestampAnnotation, vm.Metadata.Annotations.Keys.Single());
    }

    [Fact]
    public void A_cached_pod_shares_the_strings_that_repeat_across_pods()
    {
        V1Pod Pod(string name) => CacheTrims.Pod(KubernetesJson.Deserialize<V1Pod>($$$"""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "{{{name}}}", "namespace": "ns1", "uid": "u-{{{name}}}", "resourceVersion": "7",
                          "labels": {"kubevirt.io": "virt-launcher", "other": "x"},
                          "annotations": {"k8s.v1.cni.cncf.io/networks": "[{\"name\":\"br1\"}]"},
                          "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "name": "{{{name}}}", "uid": "o-{{{name}}}"}]},
             "spec": {"containers": [{"name": "c", "image": "i"}]},
             "status": {"phase": "Running"}}
            """));

        var (a, b) = (Pod("a"), Pod("b"));

        Assert.Null(a.Metadata.ResourceVersion);
        Assert.Null(a.Spec);
        Assert.Equal(["kubevirt.io"], a.Metadata.Labels.Keys);
        Assert.Same(a.Metadata.Labels["kubevirt.io"], b.Metadata.Labels["kubevirt.io"]);
        Assert.Same(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);
        Assert.Same(a.Metadata.OwnerReferences[0].ApiVersion, b.Metadata.OwnerReferences[0].ApiVersion);
        Assert.Same(a.Metadata.OwnerReferences[0].Kind, b.Metadata.OwnerReferences[0].Kind);
        Assert.Equal(("a", "o-a", "Running"), (a.Metadata.OwnerReferences[0].Name, a.Metadata.OwnerReferences[0].Uid, a.Status.Phase));
    }

    [Fact]
    public void A_spec_without_a_template_is_kept_whole()
    {
        var vm = ListVms(List(NoTemplateVm)).Items.Single();

        Assert.Equal("""{"runStrategy":"Always"}""", vm.Spec!.ToJsonString());
        Assert.Null(vm.Metadata.Annotations);
    }

    [Theory]
    [InlineData("""{"items": {"not": "an array"}}""", 0)]
    [InlineData("""{"items": null}""", 0)]
    [InlineData("""{"items": [], "unknown": [1, {"a": [2]}]}""", 0)]
    [InlineData("""{"items": [{"metadata": null, "spec": null, "extra": {"nested": [1, 2]}}]}""", 1)]
    public void Odd_but_valid_json_reads_without_losing_the_rest(string json, int count) =>
        Assert.Equal(count, ListVms(json).Items.Count);

    [Theory]
    [InlineData("""{"items": [42]}""")]
    [InlineData("""{"items": [{"metadata": "text"}]}""")]
    [InlineData("""{"items": [{"metadata": {"name": "a"}""")]
    public void Malformed_json_is_a_json_error(string json) =>
        Assert.ThrowsAny<JsonException>(() => ListVms(json));

    private static ResourcePage<VirtualMachine> ListVms(string json) => ListResponses.Read(json, VirtualMachineReader.Read, chunk: 61);

    internal static string Canonical(VirtualMachine vm) => new JsonObject
    {
        ["apiVersion"] = vm.ApiVersion,
        ["kind"] = vm.Kind,
        ["metadata"] = JsonNode.Parse(KubernetesJson.Serialize(vm.Metadata)),
        ["spec"] = vm.Spec?.DeepClone(),
        ["status"] = vm.Status?.DeepClone(),
    }.ToJsonString();
}
