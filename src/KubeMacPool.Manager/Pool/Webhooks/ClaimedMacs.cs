using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Pool.Webhooks;

/// <summary>
/// The MACs that live IPAMClaims record, for the pool's side of the contract: a VM interface's MAC does not change while
/// a claim exists for it (the IPAM plugin keeps the IP for that interface, and DHCP/ARP caches know it by that MAC).
/// Read by the VM webhook straight from the claim cache, so it is as current as the claim watch.
/// </summary>
internal sealed class ClaimedMacs(Informer<IpamClaim> claims)
{
    /// <summary>The MAC the claim of VM <paramref name="vmUid"/>'s interface holds, or null when it has no claim.</summary>
    public string? Find(string @namespace, string vmName, string? vmUid, string interfaceName) =>
        vmUid is { Length: > 0 }
        && claims.Cache.Get(@namespace, IpamClaimName.Compose(vmName, interfaceName)) is { Metadata: { DeletionTimestamp: null } metadata }
        && metadata.Annotations.ValueOrNull(IpamClaim.MacAnnotation) is { Length: > 0 } mac
        && metadata.OwnerReferences is { Count: 1 } owners
        && owners[0].Uid == vmUid
            ? mac
            : null;

    /// <summary>The refusal for an edit that would change a claimed interface's MAC.</summary>
    public static string ChangeRefused(string interfaceName, string claimedMac) =>
        $"the MAC address of interface {interfaceName} cannot change while its IPAMClaim exists: the claim keeps the "
        + $"interface's IP for MAC {claimedMac} until the VM is deleted";
}
