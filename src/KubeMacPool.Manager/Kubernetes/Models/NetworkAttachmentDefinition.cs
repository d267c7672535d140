using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Models;

/// <summary>A Multus <c>network-attachment-definitions.k8s.cni.cncf.io/v1</c>: a CNI config as a JSON string.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "NetworkAttachmentDefinition", PluralName = Plural)]
internal sealed class NetworkAttachmentDefinition : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "k8s.cni.cncf.io";
    public const string Version = "v1";
    public const string Plural = "network-attachment-definitions";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "NetworkAttachmentDefinition";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public NetworkAttachmentDefinitionSpec? Spec { get; set; }
}

internal sealed class NetworkAttachmentDefinitionSpec
{
    [JsonPropertyName("config")]
    public string? Config { get; set; }
}

internal sealed class NetworkAttachmentDefinitionList : IKubernetesObject<V1ListMeta>, IItems<NetworkAttachmentDefinition>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{NetworkAttachmentDefinition.Group}/{NetworkAttachmentDefinition.Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "NetworkAttachmentDefinitionList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<NetworkAttachmentDefinition> Items { get; set; } = [];
}
