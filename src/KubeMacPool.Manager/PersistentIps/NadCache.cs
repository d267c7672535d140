using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.PersistentIps;

/// <summary>The NAD questions the claim reconciler and the launcher-pod webhook ask, answered from the NAD cache.</summary>
internal static class NadCache
{
    public static NadLookup Lookup(this ObjectCache<NetworkAttachmentDefinition> nads, NadReference reference) =>
        nads.Get(reference.Namespace, reference.Name) is { } nad ? NadLookup.Of(nad.Spec?.Config) : NadLookup.Missing;

    /// <summary>The namespace's primary network; NADs in name order, so the answer does not depend on cache order.</summary>
    public static NadNetworkConfig? PrimaryOf(this ObjectCache<NetworkAttachmentDefinition> nads, string @namespace) =>
        PrimaryNetwork.Find(nads.InNamespace(@namespace)
            .OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)
            .Select(n => n.Spec?.Config));
}
