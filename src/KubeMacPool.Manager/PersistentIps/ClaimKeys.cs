using System.Text.Json.Nodes;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.PersistentIps;

/// <summary>
/// Which claim-controller keys (<c>namespace/name</c> of a VM and its VMI) a change of each watched kind concerns, and
/// the cache indexes that answer that without scanning: claims by their VM label, VMIs by the NADs they name.
/// </summary>
internal static class ClaimKeys
{
    /// <summary>Claims by <c>namespace/</c> + their <c>kubevirt.io/vm</c> label (claims without it are not ours to look after).</summary>
    public const string ClaimsByVmLabel = "ipam-claims-by-vm-label";

    /// <summary>VMIs by <c>namespace/name</c> of every NAD their Multus networks name.</summary>
    public const string VmisByNad = "ipam-vmis-by-nad";

    /// <summary>
    /// Adds the indexes. The caches index only objects stored from then on, so this runs while hosted services are
    /// constructed, before the informer host starts any list.
    /// </summary>
    public static void AddIndexes(ObjectCache<IpamClaim> claims, ObjectCache<VirtualMachineInstance> vmis)
    {
        claims.AddIndex(ClaimsByVmLabel, ClaimIndexValues);
        vmis.AddIndex(VmisByNad, NadsNamedBy);
    }

    /// <summary>The index value under which the claims of VM (or standalone VMI) <paramref name="name"/> are filed.</summary>
    public static string ClaimIndexValue(string @namespace, string name) => @namespace + "/" + ObjectPatches.LabelValue(name);

    /// <summary>The same for a VM's key (<c>namespace/name</c>): the key itself, unless the name is longer than a label value.</summary>
    public static string ClaimIndexValue(string vmKey)
    {
        var slash = vmKey.IndexOf('/', StringComparison.Ordinal);
        return vmKey.Length - slash - 1 <= ObjectPatches.MaxLabelValueLength ? vmKey : ClaimIndexValue(vmKey[..slash], vmKey[(slash + 1)..]);
    }

    /// <summary>
    /// A VM's key, when the VM can matter: it has a VMI or claims labelled with its name. A VM with neither has nothing
    /// to reconcile, and when either appears, its own event queues the key (a start queues no key for the thousands
    /// of VMs that never ran).
    /// </summary>
    public static IEnumerable<string> ForVirtualMachine(VirtualMachine vm, ObjectCache<IpamClaim> claims, ObjectCache<VirtualMachineInstance> vmis)
    {
        var key = ObjectCache<VirtualMachine>.KeyOf(vm);
        return vmis.Get(key) is not null || claims.ByIndex(ClaimsByVmLabel, ClaimIndexValue(key)).Count > 0 ? [key] : [];
    }

    public static IEnumerable<string> ForInstance(VirtualMachineInstance vmi) => [ObjectCache<VirtualMachineInstance>.KeyOf(vmi)];

    /// <summary>
    /// The VM or VMI a claim is for: the owner we gave it (its full name: a label value may be cut) and the one its
    /// label names (a claim made by someone else).
    /// </summary>
    public static IEnumerable<string> ForClaim(IpamClaim claim)
    {
        var ns = claim.Metadata.NamespaceProperty;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in claim.Metadata.OwnerReferences ?? [])
        {
            if (IsVmOrVmi(owner.Kind) && owner.Name is { Length: > 0 } name)
            {
                keys.Add(ns + "/" + name);
            }
        }

        if (claim.Metadata.Labels.ValueOrNull(IpamClaim.VmLabel) is { Length: > 0 } label)
        {
            keys.Add(ns + "/" + label);
        }

        return keys;
    }

    /// <summary>
    /// A NAD that appears, changes or goes may change the claims of the VMIs that name it and, as a possible primary
    /// network, of every VMI of its namespace.
    /// </summary>
    public static IEnumerable<string> ForNad(NetworkAttachmentDefinition nad, ObjectCache<VirtualMachineInstance> vmis)
    {
        var ns = nad.Metadata.NamespaceProperty ?? "";
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vmi in vmis.InNamespace(ns).Concat(vmis.ByIndex(VmisByNad, ns + "/" + nad.Metadata.Name)))
        {
            keys.Add(ObjectCache<VirtualMachineInstance>.KeyOf(vmi));
        }

        return keys;
    }

    /// <summary>Whether the claim belongs to <paramref name="name"/>: it names no VM or VMI owner, or names this one.</summary>
    public static bool BelongsTo(IpamClaim claim, string name)
    {
        var owners = claim.Metadata.OwnerReferences?.Where(o => IsVmOrVmi(o.Kind)).ToList();
        return owners is not { Count: > 0 } || owners.Any(o => o.Name == name);
    }

    private static IEnumerable<string> ClaimIndexValues(IpamClaim claim) =>
        claim.Metadata.Labels.ValueOrNull(IpamClaim.VmLabel) is { Length: > 0 } label ? [claim.Metadata.NamespaceProperty + "/" + label] : [];

    /// <summary>
    /// Read straight from the JSON (this runs on every VMI update): every <c>multus.networkName</c>, default networks
    /// included, which at worst queues a key for nothing.
    /// </summary>
    private static IEnumerable<string> NadsNamedBy(VirtualMachineInstance vmi)
    {
        if (vmi.Spec?["networks"] is not JsonArray networks)
        {
            return [];
        }

        var nads = new List<string>();
        foreach (var network in networks)
        {
            if (network is JsonObject { } entry
                && entry["multus"] is JsonObject multus
                && multus["networkName"] is JsonValue value
                && value.TryGetValue<string>(out var networkName)
                && networkName.Length > 0)
            {
                nads.Add(NadReference.Parse(networkName, vmi.Metadata.NamespaceProperty ?? "").ToString());
            }
        }

        return nads;
    }

    private static bool IsVmOrVmi(string? kind) => kind is "VirtualMachine" or "VirtualMachineInstance";
}
