using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Collisions;

/// <summary>
/// Which MACs of a pod or VMI count as in use for collisions. The service's collision controllers and the
/// <c>kubectl macpool</c> plugin read objects through this one definition, so both report the same collisions.
/// </summary>
public static class RunningMacs
{
    /// <summary>
    /// A pod's MACs: those of its networks annotation, once Multus has written <c>network-status</c> (they are then
    /// really in use). virt-launcher pods are left to their VMI. Empty when nothing counts.
    /// </summary>
    public static IReadOnlySet<MacAddress> OfPod(
        IEnumerable<KeyValuePair<string, string>>? labels, IDictionary<string, string>? annotations, string @namespace)
    {
        if (VirtLauncher.IsVirtLauncher(labels)
            || annotations is null
            || !annotations.ContainsKey(WellKnown.NetworkStatusAnnotation)
            || !annotations.TryGetValue(WellKnown.NetworksAnnotation, out var networks))
        {
            return new HashSet<MacAddress>();
        }

        return Parse(NetworkSelectionAnnotation.Parse(networks, @namespace).Elements.Select(e => e.Mac));
    }

    /// <summary>The parseable MACs among <paramref name="texts"/> (any spelling), each once.</summary>
    public static IReadOnlySet<MacAddress> Parse(IEnumerable<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var macs = new HashSet<MacAddress>();
        foreach (var text in texts)
        {
            if (MacAddress.TryParse(text, out var mac))
            {
                macs.Add(mac);
            }
        }

        return macs;
    }
}
