using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Models;

/// <summary>
/// <c>ippools.kubemacpool.io</c> (cluster-scoped): the subnet, range and DHCP options of one network. Its status is
/// a view the controller derives from the reservations (allocated IP → MAC and owner, counts, Ready).
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "IPPool", PluralName = Plural)]
internal sealed class IpPool : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "kubemacpool.io";
    public const string Version = "v1alpha1";
    public const string Plural = "ippools";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "IPPool";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IpPoolSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public IpPoolStatus? Status { get; set; }
}

internal sealed class IpPoolSpec
{
    [JsonPropertyName("network")]
    public string? Network { get; set; }

    [JsonPropertyName("cidr")]
    public string? Cidr { get; set; }

    [JsonPropertyName("serverIP")]
    public string? ServerIp { get; set; }

    [JsonPropertyName("router")]
    public string? Router { get; set; }

    [JsonPropertyName("range")]
    public IpPoolRange? Range { get; set; }

    [JsonPropertyName("exclude")]
    public IList<string>? Exclude { get; set; }

    [JsonPropertyName("dns")]
    public IList<string>? Dns { get; set; }

    [JsonPropertyName("domainName")]
    public string? DomainName { get; set; }

    [JsonPropertyName("searchDomains")]
    public IList<string>? SearchDomains { get; set; }

    [JsonPropertyName("ntp")]
    public IList<string>? Ntp { get; set; }

    [JsonPropertyName("leaseTimeSeconds")]
    public long? LeaseTimeSeconds { get; set; }

    [JsonPropertyName("mtu")]
    public int? Mtu { get; set; }
}

internal sealed class IpPoolRange
{
    [JsonPropertyName("start")]
    public string? Start { get; set; }

    [JsonPropertyName("end")]
    public string? End { get; set; }
}

internal sealed class IpPoolStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("allocated")]
    public IDictionary<string, IpPoolAllocation>? Allocated { get; set; }

    [JsonPropertyName("excluded")]
    public IList<string>? Excluded { get; set; }

    [JsonPropertyName("used")]
    public long Used { get; set; }

    [JsonPropertyName("available")]
    public long Available { get; set; }

    /// <summary>The DHCP agent Deployment the manager keeps for the pool (in the service's namespace); none when external.</summary>
    [JsonPropertyName("agent")]
    public string? Agent { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}

/// <summary>Who holds one address: the MAC it is served to and the reservation (<c>namespace/name</c>).</summary>
internal sealed class IpPoolAllocation
{
    [JsonPropertyName("mac")]
    public string Mac { get; set; } = "";

    [JsonPropertyName("reservation")]
    public string Reservation { get; set; } = "";
}

internal sealed class IpPoolList : IKubernetesObject<V1ListMeta>, IItems<IpPool>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{IpPool.Group}/{IpPool.Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "IPPoolList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<IpPool> Items { get; set; } = [];
}
