using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>A page of pods read straight into the shape the cache keeps (<see cref="PodReader"/>).</summary>
[JsonConverter(typeof(PodListReader))]
internal sealed class CachedPodList : IKubernetesObject<V1ListMeta>, IItems<V1Pod>
{
    public string ApiVersion { get; set; } = "v1";

    public string Kind { get; set; } = "PodList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<V1Pod> Items { get; set; } = [];
}

/// <summary>Reads a pod list token by token, skipping every field the cache does not keep.</summary>
internal sealed class PodListReader : CachedListReader<CachedPodList, V1Pod>
{
    protected override V1Pod ReadItem(ref Utf8JsonReader reader, JsonSerializerOptions options) => PodReader.Read(ref reader);
}
