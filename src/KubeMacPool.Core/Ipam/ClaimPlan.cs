using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Ipam;

/// <summary>One IPAMClaim a VMI needs: for its network <paramref name="LogicalNetwork"/> (the VMI's network name).</summary>
/// <param name="ClaimName">The sanitised <c>&lt;vm&gt;.&lt;logical network&gt;</c>.</param>
/// <param name="Network">The CNI network name from the NAD config (the claim's <c>spec.network</c>).</param>
/// <param name="MacAddress">The interface's MAC from the VMI spec (the pool's), null when it has none.</param>
public sealed record DesiredClaim(string LogicalNetwork, string ClaimName, string Network, string? MacAddress);

/// <summary>
/// The claims a VMI needs, or why they cannot be decided yet: a referenced NAD is missing (wait for it) or its config
/// cannot be read (a clear error for the VMI's events).
/// </summary>
public sealed record ClaimPlan(IReadOnlyList<DesiredClaim> Claims, NadReference? MissingNad, string? Error)
{
    /// <summary>
    /// Persistent secondary networks (non-default Multus networks whose NAD allows persistent IPs) and, when the
    /// namespace's primary user-defined network allows them, the pod network. Multus default networks are skipped.
    /// </summary>
    /// <param name="vmiName">The VMI's name (= the VM's).</param>
    /// <param name="vmiNamespace">Where bare NAD names resolve.</param>
    /// <param name="interfaces">The VMI's interfaces and networks.</param>
    /// <param name="lookup">A NAD by reference.</param>
    /// <param name="primary">The namespace's primary network, if any.</param>
    public static ClaimPlan For(
        string vmiName,
        string vmiNamespace,
        VirtualMachineInterfaces interfaces,
        Func<NadReference, NadLookup> lookup,
        NadNetworkConfig? primary)
    {
        if (interfaces.Error is { } malformed)
        {
            return new ClaimPlan([], null, malformed);
        }

        var claims = new List<DesiredClaim>();
        foreach (var network in interfaces.Networks)
        {
            string? configName = null;
            if (network is { Source: NetworkSource.Multus, IsDefault: false, MultusNetworkName: { Length: > 0 } networkName })
            {
                var reference = NadReference.Parse(networkName, vmiNamespace);
                var nad = lookup(reference);
                if (!nad.Exists)
                {
                    return new ClaimPlan([], reference, null);
                }

                if (nad.Error is { } error)
                {
                    return new ClaimPlan([], null, $"network {network.Name} (NetworkAttachmentDefinition {reference}): {error}");
                }

                configName = nad.Config!.AllowPersistentIps ? nad.Config.Name : null;
            }
            else if (network.Source == NetworkSource.Pod && primary is { AllowPersistentIps: true })
            {
                configName = primary.Name;
            }

            if (configName is not null)
            {
                var mac = interfaces.Interfaces.LastOrDefault(i => i.Name == network.Name)?.MacAddress;
                claims.Add(new DesiredClaim(network.Name, IpamClaimName.Compose(vmiName, network.Name), configName, Canonical(mac)));
            }
        }

        return new ClaimPlan(claims, null, null);
    }

    /// <summary>The claim records the MAC in canonical form (lower case, colons), as everything else the pool emits.</summary>
    internal static string? Canonical(string? mac) => MacAddress.TryParse(mac, out var parsed) ? parsed.ToString() : mac;
}
