using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Models;

/// <summary>
/// <c>ipamclaims.k8s.cni.cncf.io/v1alpha1</c> (k8snetworkplumbingwg/ipamclaims; multi-network spec v1.3 §8): a persistent
/// IP allocation of one network, kept by the IPAM plugin for as long as the claim exists. We write metadata and spec;
/// the plugin writes status.
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "IPAMClaim", PluralName = Plural)]
internal sealed class IpamClaim : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "k8s.cni.cncf.io";
    public const string Version = "v1alpha1";
    public const string Plural = "ipamclaims";

    /// <summary>Holds a claim until its VM (or standalone VMI) is really gone, also under foreground deletion.</summary>
    public const string Finalizer = "kubevirt.io/persistent-ipam";

    /// <summary>The VM (or standalone VMI) the claim is for, as ipam-extensions labels it.</summary>
    public const string VmLabel = "kubevirt.io/vm";

    /// <summary>The MAC of the claim's interface (canonical form), for traceability; the IPAM plugin ignores it.</summary>
    public const string MacAnnotation = "kubemacpool.io/mac-address";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "IPAMClaim";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IpamClaimSpec Spec { get; set; } = new();

    /// <summary>Kept raw: written by the IPAM plugin, whose <c>ownerPod</c> shape changed between releases.</summary>
    [JsonPropertyName("status")]
    public JsonObject? Status { get; set; }
}

internal sealed class IpamClaimSpec
{
    /// <summary>The CNI network name (the NAD config's <c>name</c>, not the NAD object's).</summary>
    [JsonPropertyName("network")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Network { get; set; } = "";

    /// <summary>The pod interface; ipam-extensions leaves it empty. Required by the schema, so always written, even "".</summary>
    [JsonPropertyName("interface")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Interface { get; set; } = "";
}

internal sealed class IpamClaimList : IKubernetesObject<V1ListMeta>, IItems<IpamClaim>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{IpamClaim.Group}/{IpamClaim.Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "IPAMClaimList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<IpamClaim> Items { get; set; } = [];
}
