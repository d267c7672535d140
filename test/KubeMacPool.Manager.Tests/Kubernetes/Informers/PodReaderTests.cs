using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>
/// Pods are read straight into the cached shape, from a list page or a watch line. A pod must be cached exactly as
/// <see cref="CacheTrims.Pod"/> trims the same pod read whole, or its cached copy would depend on how it arrived.
/// </summary>
public sealed class PodReaderTests
{
    // A virt-launcher pod as the API server returns it: managedFields, a spec, a full status, keys we keep and
    // keys we drop (the kept annotations in the reverse of the order the trim keeps them).
    internal const string LauncherPod = """
        {
          "kind": "Pod", "apiVersion": "v1",
          "metadata": {
            "name": "virt-launcher-vm-a-x7k2p", "generateName": "virt-launcher-vm-a-", "namespace": "ns1",
            "uid": "u-1", "resourceVersion": "42", "creationTimestamp": "2026-11-29T21:29:21Z",
            "deletionTimestamp": "2026-11-29T22:00:00.123456Z", "deletionGracePeriodSeconds": 30,
            "labels": {"kubevirt.io": "virt-launcher", "vm.kubevirt.io/name": "vm-a", "kubevirt.io/created-by": "x"},
            "annotations": {
              "k8s.v1.cni.cncf.io/network-status": "[{\"name\":\"ns1/br1\",\"mac\":\"02:50:00:00:00:01\"}]",
              "kubectl.kubernetes.io/default-container": "compute",
              "k8s.v1.cni.cncf.io/networks": "[{\"name\":\"br1\",\"namespace\":\"ns1\",\"mac\":\"02:50:00:00:00:01\"}]"
            },
            "ownerReferences": [
              {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "name": "vm-a", "uid": "o-1",
               "controller": true, "blockOwnerDeletion": true}
            ],
            "finalizers": ["x/y"],
            "managedFields": [{"manager": "virt-controller", "operation": "Update", "apiVersion": "v1",
                               "time": "2026-11-29T21:29:21Z", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:kubevirt.io": {}}}}}]
          },
          "spec": {"containers": [{"name": "compute", "image": "virt-launcher", "resources": {"limits": {"memory": "1Gi"}}}],
                   "nodeName": "node-1", "tolerations": [{"key": "k", "operator": "Exists"}]},
          "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], "podIP": "10.0.0.5",
                     "containerStatuses": [{"name": "compute", "ready": true, "restartCount": 0, "state": {"running": {}}}]}
        }
        """;

    private const string PlainPod = """
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "web-1", "namespace": "ns2", "uid": "u-2", "resourceVersion": "43", "labels": {"app": "web"},
                      "annotations": {"other": "x"}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "o-2"}]},
         "spec": {"containers": []},
         "status": {"phase": "Pending"}}
        """;

    private const string NullsPod = """
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "n", "namespace": "ns1", "uid": "u-3", "resourceVersion": "44", "labels": null,
                      "annotations": null, "ownerReferences": null, "deletionTimestamp": null, "managedFields": null},
         "spec": null, "status": null}
        """;

    private const string EmptiesPod = """
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "e", "namespace": "ns1", "uid": "u-4", "labels": {}, "annotations": {}, "ownerReferences": []},
         "status": {"conditions": []}}
        """;

    // Escaped property names and escaped kept keys: the server may escape any character.
    private const string EscapedPod = """
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"n\u0061me": "esc", "namespace": "ns1", "uid": "u-5", "resource\u0056ersion": "45",
                      "labels": {"kubevirt\u002eio": "virt-launcher"},
                      "annotations": {"k8s.v1.cni.cncf.io\/networks": "[]", "k8s.v1.cni.cncf.io\/network-status": "[]"},
                      "owner\u0052eferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "name": "esc", "uid": "o-5", "controller": false}]},
         "st\u0061tus": {"ph\u0061se": "Succeeded"}}
        """;

    public static TheoryData<string> Pods => [LauncherPod, PlainPod, NullsPod, EmptiesPod, EscapedPod];

    [Theory]
    [MemberData(nameof(Pods))]
    public void A_read_pod_is_cached_exactly_as_a_whole_pod_is_trimmed(string json)
    {
        var trimmed = CacheTrims.Pod(KubernetesJson.Deserialize<V1Pod>(json));

        var read = Read(json);
        var version = KubernetesJson.Deserialize<V1Pod>(json).Metadata.ResourceVersion;
        Assert.Equal(version, read.Metadata.ResourceVersion);
        var cached = CacheTrims.Pod(read);

        Assert.Same(read, cached);
        Assert.Null(cached.Metadata.ResourceVersion);
        Assert.Equal(Canonical(trimmed), Canonical(cached));
        AssertSameFields(trimmed, cached);
    }

    [Fact]
    public void Only_what_the_consumers_read_is_kept()
    {
        var pod = Read(LauncherPod);

        Assert.Equal(("virt-launcher-vm-a-x7k2p", "ns1", "u-1", "42"), (pod.Metadata.Name, pod.Metadata.NamespaceProperty, pod.Metadata.Uid, pod.Metadata.ResourceVersion));
        Assert.Equal(new DateTime(2026, 11, 29, 22, 0, 0, 123, 456, DateTimeKind.Utc), pod.Metadata.DeletionTimestamp);
        Assert.Equal([WellKnown.KubeVirtLabel], pod.Metadata.Labels.Keys);
        Assert.Equal([WellKnown.NetworksAnnotation, WellKnown.NetworkStatusAnnotation], pod.Metadata.Annotations.Keys);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("kubevirt.io/v1", "VirtualMachineInstance", "vm-a", "o-1", (bool?)true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller));
        Assert.Null(owner.BlockOwnerDeletion);
        Assert.Null(pod.Metadata.ManagedFields);
        Assert.Null(pod.Metadata.Finalizers);
        Assert.Null(pod.Metadata.CreationTimestamp);
        Assert.Null(pod.Metadata.GenerateName);
        Assert.Null(pod.Spec);
        Assert.Equal("Running", pod.Status.Phase);
        Assert.Null(pod.Status.Conditions);
    }

    [Fact]
    public void Strings_that_repeat_across_pods_are_one_instance()
    {
        var (a, b) = (Read(LauncherPod), Read(LauncherPod));
        var whole = CacheTrims.Pod(KubernetesJson.Deserialize<V1Pod>(LauncherPod));

        foreach (var other in new[] { b, whole })
        {
            Assert.Same(a.ApiVersion, other.ApiVersion);
            Assert.Same(a.Kind, other.Kind);
            Assert.Same(a.Metadata.NamespaceProperty, other.Metadata.NamespaceProperty);
            Assert.Same(a.Metadata.Labels[WellKnown.KubeVirtLabel], other.Metadata.Labels[WellKnown.KubeVirtLabel]);
            Assert.Same(a.Metadata.OwnerReferences[0].ApiVersion, other.Metadata.OwnerReferences[0].ApiVersion);
            Assert.Same(a.Metadata.OwnerReferences[0].Kind, other.Metadata.OwnerReferences[0].Kind);
            Assert.Same(a.Status, other.Status);
        }

        Assert.All(a.Metadata.Annotations.Keys.Concat(a.Metadata.Labels.Keys), key => Assert.Same(string.IsInterned(key), key));
        Assert.Same(WellKnown.NetworksAnnotation, a.Metadata.Annotations.Keys.First());
        Assert.Same(WellKnown.KubeVirtLabel, Read(EscapedPod).Metadata.Labels.Keys.Single());
    }

    [Fact]
    public void A_bookmark_object_is_a_pod_with_only_a_resource_version()
    {
        var pod = Read("""{"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "99", "annotations": {"k8s.io/initial-events-end": "true"}}}""");

        Assert.Equal("99", pod.Metadata.ResourceVersion);
        Assert.Null(pod.Metadata.Name);
        Assert.Null(pod.Metadata.Annotations);
        Assert.Null(pod.Status);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("""{"metadata": "text"}""")]
    [InlineData("""{"metadata": {"name": 7}}""")]
    [InlineData("""{"metadata": {"labels": ["kubevirt.io"]}}""")]
    [InlineData("""{"metadata": {"ownerReferences": {"name": "x"}}}""")]
    [InlineData("""{"metadata": {"ownerReferences": [{"controller": "yes"}]}}""")]
    [InlineData("""{"metadata": {"deletionTimestamp": "yesterday"}}""")]
    [InlineData("""{"metadata": {"deletionTimestamp": 5}}""")]
    [InlineData("""{"status": "Running"}""")]
    [InlineData("""{"metadata": {"name": "a"}""")]
    [InlineData("""{"metadata": {"name": "a"}}}""")]
    public void Malformed_json_is_a_json_error(string json) =>
        Assert.ThrowsAny<JsonException>(() => Read(json));

    [Fact]
    public void A_list_page_keeps_its_items_continue_and_version()
    {
        var json = $$"""{"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": "c1", "resourceVersion": "99", "remainingItemCount": 3}, "items": [{{LauncherPod}}, {{PlainPod}}]}""";

        var list = ListResponses.Read(json, PodReader.Read, chunk: 61);

        Assert.Equal(("c1", "99"), (list.Continue, list.ResourceVersion));
        Assert.Equal(["virt-launcher-vm-a-x7k2p", "web-1"], list.Items.Select(p => p.Metadata.Name));
        Assert.All(list.Items, p => Assert.IsType<CachedPod>(p));
        Assert.Equal(["42", "43"], list.Items.Select(p => p.Metadata.ResourceVersion));
        Assert.Equal(Canonical(CacheTrims.Pod(KubernetesJson.Deserialize<V1Pod>(PlainPod))), Canonical(CacheTrims.Pod(list.Items[1])));
    }

    [Fact]
    public void The_last_list_page_has_no_continue()
    {
        var list = ListResponses.Read("""{"metadata": {"resourceVersion": "7"}, "items": []}""", PodReader.Read);

        Assert.Equal((null, "7"), (list.Continue, list.ResourceVersion));
        Assert.Empty(list.Items);
    }

    [Theory]
    [InlineData("""{"items": [42]}""")]
    [InlineData("""{"items": [{"metadata": {"uid": false}}]}""")]
    [InlineData("""{"items": [{"metadata": {}}""")]
    public void A_malformed_list_is_a_json_error(string json) =>
        Assert.ThrowsAny<JsonException>(() => ListResponses.Read(json, PodReader.Read));

    private static CachedPod Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        var pod = PodReader.Read(ref reader);
        if (reader.Read())
        {
            throw new JsonException("trailing content");
        }

        return pod;
    }

    // Serialized as V1Pod: a CachedPod's runtime type adds nothing to compare.
    internal static string Canonical(V1Pod pod) => JsonSerializer.Serialize<V1Pod>(pod);

    internal static void AssertSameFields(V1Pod expected, V1Pod actual)
    {
        Assert.Equal(expected.ApiVersion, actual.ApiVersion);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Metadata.Name, actual.Metadata.Name);
        Assert.Equal(expected.Metadata.NamespaceProperty, actual.Metadata.NamespaceProperty);
        Assert.Equal(expected.Metadata.Uid, actual.Metadata.Uid);
        Assert.Equal(expected.Metadata.ResourceVersion, actual.Metadata.ResourceVersion);
        Assert.Equal(expected.Metadata.DeletionTimestamp, actual.Metadata.DeletionTimestamp);
        Assert.Equal(expected.Metadata.DeletionTimestamp?.Kind, actual.Metadata.DeletionTimestamp?.Kind);
        Assert.Equal(expected.Metadata.Labels?.ToList(), actual.Metadata.Labels?.ToList());
        Assert.Equal(expected.Metadata.Annotations?.ToList(), actual.Metadata.Annotations?.ToList());
        Assert.Equal(expected.Metadata.Labels?.GetType(), actual.Metadata.Labels?.GetType());
        Assert.Equal(expected.Metadata.Annotations?.GetType(), actual.Metadata.Annotations?.GetType());
        Assert.Equal(
            expected.Metadata.OwnerReferences?.Select(o => (o.ApiVersion, o.Kind, o.Name, o.Uid, o.Controller, o.BlockOwnerDeletion)),
            actual.Metadata.OwnerReferences?.Select(o => (o.ApiVersion, o.Kind, o.Name, o.Uid, o.Controller, o.BlockOwnerDeletion)));
        Assert.Same(expected.Status, actual.Status);
        Assert.Equal(expected.Spec, actual.Spec);
    }
}
