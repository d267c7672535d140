using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers.Packing;

/// <summary>A cached pod as bytes: the fields <see cref="CacheTrims.Pod"/> keeps.</summary>
internal sealed class PodPacker : IObjectPacker<V1Pod>
{
    public static readonly PodPacker Instance = new();

    // One buffer per thread: packing is synchronous, so a thread never packs two objects at once.
    [ThreadStatic]
    private static PackedWriter? _writer;

    public byte[] Pack(V1Pod item)
    {
        var writer = _writer ??= new PackedWriter();
        var metadata = item.Metadata;
        writer.String(item.ApiVersion == V1Pod.KubeApiVersion ? null : item.ApiVersion);
        writer.String(item.Kind == V1Pod.KubeKind ? null : item.Kind);
        writer.Uid(metadata.Uid);
        writer.Timestamp(metadata.DeletionTimestamp);
        writer.Kept(metadata.Labels, CacheTrims.KeptPodLabels);
        writer.Kept(metadata.Annotations, CacheTrims.KeptPodAnnotations);
        var owners = metadata.OwnerReferences;
        writer.Count(owners is null ? 0 : owners.Count + 1);
        foreach (var owner in owners ?? [])
        {
            writer.String(owner.ApiVersion);
            writer.String(owner.Kind);
            writer.String(owner.Name);
            writer.Uid(owner.Uid);
            writer.Boolean(owner.Controller);
        }

        writer.String(item.Status?.Phase);
        return writer.ToArrayAndReset();
    }

    public V1Pod Unpack(ObjectKey key, ReadOnlySpan<byte> packed)
    {
        var reader = new PackedReader(packed);
        var pod = new CachedPod
        {
            ApiVersion = CacheTrims.Intern(reader.String()) ?? V1Pod.KubeApiVersion,
            Kind = CacheTrims.Intern(reader.String()) ?? V1Pod.KubeKind,
            Metadata = new V1ObjectMeta
            {
                Name = key.Name,
                NamespaceProperty = key.Namespace.Length == 0 ? null : key.Namespace,
                Uid = reader.Uid(),
                DeletionTimestamp = reader.Timestamp(),
                Labels = reader.Kept(CacheTrims.KeptPodLabels, internValues: true),
                Annotations = reader.Kept(CacheTrims.KeptPodAnnotations, internValues: false),
            },
        };
        var owners = reader.Count() - 1;
        if (owners >= 0)
        {
            pod.Metadata.OwnerReferences = new List<V1OwnerReference>(owners);
            for (var i = 0; i < owners; i++)
            {
                pod.Metadata.OwnerReferences.Add(new V1OwnerReference
                {
                    ApiVersion = CacheTrims.Intern(reader.String()),
                    Kind = CacheTrims.Intern(reader.String()),
                    Name = reader.String(),
                    Uid = reader.Uid(),
                    Controller = reader.Boolean(),
                });
            }
        }

        pod.Status = CacheTrims.PodPhase(reader.String());
        return pod;
    }
}
