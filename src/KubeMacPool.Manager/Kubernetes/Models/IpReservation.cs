using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Models;

/// <summary>
/// <c>ipreservations.kubemacpool.io</c> (namespaced with its VM): one VM interface on a pooled network. The spec is
/// what the VM asks for (network, MAC, optional pinned IP); the status is the address the controller reserved and
/// the MAC the agent serves it to. Owned by the VM (garbage-collected with it) and held by a finalizer until the
/// controller has freed the address.
/// </summary>
[KubernetesEntity(Group = IpPool.Group, ApiVersion = IpPool.Version, Kind = "IPReservation", PluralName = Plural)]
internal sealed class IpReservation : IKubernetesObject<V1ObjectMeta>
{
    public const string Plural = "ipreservations";
    public const string Finalizer = "kubemacpool.io/ip-reservation";
    public const string AllocatedCondition = "Allocated";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{IpPool.Group}/{IpPool.Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "IPReservation";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IpReservationSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public IpReservationStatus? Status { get; set; }
}

internal sealed class IpReservationSpec
{
    [JsonPropertyName("virtualMachine")]
    public string VirtualMachine { get; set; } = "";

    [JsonPropertyName("interface")]
    public string Interface { get; set; } = "";

    /// <summary>The NetworkAttachmentDefinition as <c>namespace/name</c>.</summary>
    [JsonPropertyName("network")]
    public string Network { get; set; } = "";

    /// <summary>Canonical form (lower case, colons).</summary>
    [JsonPropertyName("macAddress")]
    public string MacAddress { get; set; } = "";

    /// <summary>The address the user pinned through the VM annotation, if any.</summary>
    [JsonPropertyName("ipAddress")]
    public string? IpAddress { get; set; }
}

internal sealed class IpReservationStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("pool")]
    public string? Pool { get; set; }

    [JsonPropertyName("address")]
    public string? Address { get; set; }

    [JsonPropertyName("macAddress")]
    public string? MacAddress { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}

internal sealed class IpReservationList : IKubernetesObject<V1ListMeta>, IItems<IpReservation>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{IpPool.Group}/{IpPool.Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "IPReservationList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<IpReservation> Items { get; set; } = [];
}
