using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Informers.Packing;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers.Packing;

/// <summary>A pod cached as bytes must open exactly as the trimmed pod that went in: every kept field, nothing else.</summary>
public sealed class PodPackerTests
{
    public static TheoryData<string> Pods => PodReaderTests.Pods;

    [Theory]
    [MemberData(nameof(Pods))]
    public void A_trimmed_pod_opens_as_it_was_packed(string json)
    {
        var trimmed = CacheTrims.Pod(KubernetesJson.Deserialize<V1Pod>(json));

        var opened = RoundTrip(trimmed);

        Assert.IsType<CachedPod>(opened);
        Assert.Equal(PodReaderTests.Canonical(trimmed), PodReaderTests.Canonical(opened));
        PodReaderTests.AssertSameFields(trimmed, opened);
    }

    [Fact]
    public void Uids_timestamps_owners_and_text_survive_in_every_form()
    {
        var pod = new V1Pod
        {
            ApiVersion = "v2",
            Kind = "Odd",
            Metadata = new V1ObjectMeta
            {
                Name = "p",
                NamespaceProperty = "ns",
                Uid = "6f1d2a40-3b5c-4e7d-9a1b-2c3d4e5f6a7b",
                DeletionTimestamp = new DateTime(2026, 11, 30, 1, 2, 3, 456, DateTimeKind.Local),
                Annotations = new Dictionary<string, string> { [WellKnown.NetworksAnnotation] = """[{"name":"brü-1","mac":"02:00:00:00:00:01"}]""" },
                OwnerReferences =
                [
                    new() { ApiVersion = "kubevirt.io/v1", Kind = "VirtualMachineInstance", Name = "vm", Uid = "6F1D2A40-3B5C-4E7D-9A1B-2C3D4E5F6A7B", Controller = false },
                    new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs", Uid = null, Controller = null },
                ],
            },
        };

        var opened = RoundTrip(CacheTrims.Pod(pod));

        Assert.Equal(("v2", "Odd"), (opened.ApiVersion, opened.Kind));
        Assert.Equal(pod.Metadata.Uid, opened.Metadata.Uid);
        Assert.Equal(pod.Metadata.DeletionTimestamp, opened.Metadata.DeletionTimestamp);
        Assert.Equal(DateTimeKind.Local, opened.Metadata.DeletionTimestamp!.Value.Kind);
        Assert.Equal(pod.Metadata.Annotations[WellKnown.NetworksAnnotation], opened.Metadata.Annotations[WellKnown.NetworksAnnotation]);
        // An uppercase UID is not the API server's form: it is kept as text, exactly.
        Assert.Equal(
            pod.Metadata.OwnerReferences.Select(o => (o.ApiVersion, o.Kind, o.Name, o.Uid, o.Controller)),
            opened.Metadata.OwnerReferences.Select(o => (o.ApiVersion, o.Kind, o.Name, o.Uid, o.Controller)));
        Assert.Null(opened.Metadata.Labels);
        Assert.Null(opened.Status);
    }

    [Fact]
    public void Name_and_namespace_come_from_the_key_and_shared_strings_stay_shared()
    {
        var trimmed = CacheTrims.Pod(KubernetesJson.Deserialize<V1Pod>(PodReaderTests.LauncherPod));
        var key = ObjectKey.Of(trimmed);
        var packed = PodPacker.Instance.Pack(trimmed);

        var (a, b) = (PodPacker.Instance.Unpack(key, packed), PodPacker.Instance.Unpack(key, packed));

        Assert.NotSame(a, b);
        Assert.Same(key.Name, a.Metadata.Name);
        Assert.Same(key.Namespace, a.Metadata.NamespaceProperty);
        Assert.Same(trimmed.Status, a.Status);
        Assert.Same(trimmed.ApiVersion, a.ApiVersion);
        Assert.Same(trimmed.Metadata.Labels[WellKnown.KubeVirtLabel], a.Metadata.Labels[WellKnown.KubeVirtLabel]);
        Assert.Same(WellKnown.NetworksAnnotation, a.Metadata.Annotations.Keys.First());
        Assert.Same(trimmed.Metadata.OwnerReferences[0].Kind, a.Metadata.OwnerReferences[0].Kind);
    }

    [Fact]
    public void A_packed_pod_is_a_fraction_of_the_object()
    {
        var trimmed = CacheTrims.Pod(KubernetesJson.Deserialize<V1Pod>(PodReaderTests.LauncherPod));

        // UID text (3 bytes here), two Multus annotations (~140 bytes), the owner and the phase.
        Assert.InRange(PodPacker.Instance.Pack(trimmed).Length, 150, 220);
    }

    private static V1Pod RoundTrip(V1Pod trimmed) =>
        PodPacker.Instance.Unpack(ObjectKey.Of(trimmed), PodPacker.Instance.Pack(trimmed));
}
