using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Ipam;

/// <summary>
/// The MACs that live IPAMClaims record, for the pool's side of the contract: a VM interface's MAC does not change while
/// a claim exists for it (the IPAM plugin keeps the IP for that interface, and DHCP/ARP caches know it by that MAC).
/// Fed by the claim controller from its cache; read by the VM webhook.
/// </summary>
internal sealed class ClaimedMacs
{
    // A snapshot replaced whole on every claim change and never written after: readers need no lock.
    private volatile IReadOnlyDictionary<string, (string Mac, string? OwnerUid)> _byClaim =
        new Dictionary<string, (string Mac, string? OwnerUid)>();

    public void Replace(IEnumerable<IpamClaim> claims) =>
        _byClaim = claims
            .Where(c => c.Metadata.DeletionTimestamp is null)
            .Select(c => (Key: c.Metadata.NamespaceProperty + "/" + c.Metadata.Name, Mac: c.Metadata.Annotations.ValueOrNull(IpamClaim.MacAnnotation), Owner: c.Metadata.OwnerReferences))
            .Where(c => c.Mac is { Length: > 0 })
            .ToDictionary(c => c.Key, c => (c.Mac!, c.Owner is { Count: 1 } owners ? owners[0].Uid : null), StringComparer.Ordinal);

    /// <summary>The MAC the claim of VM <paramref name="vmUid"/>'s interface holds, or null when it has no claim.</summary>
    public string? Find(string @namespace, string vmName, string? vmUid, string interfaceName) =>
        vmUid is { Length: > 0 }
        && _byClaim.TryGetValue(@namespace + "/" + IpamClaimName.Compose(vmName, interfaceName), out var entry)
        && entry.OwnerUid == vmUid
            ? entry.Mac
            : null;

    /// <summary>The refusal for an edit that would change a claimed interface's MAC.</summary>
    public static string ChangeRefused(string interfaceName, string claimedMac) =>
        $"the MAC address of interface {interfaceName} cannot change while its IPAMClaim exists: the claim keeps the "
        + $"interface's IP for MAC {claimedMac} until the VM is deleted";
}
