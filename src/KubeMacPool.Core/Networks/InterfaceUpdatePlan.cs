namespace KubeMacPool.Core.Networks;

public enum InterfaceChange
{
    /// <summary>The interface existed with the same MAC (or had none and still asks for none): nothing to do.</summary>
    Keep,

    /// <summary>The update left the MAC empty: the old MAC is written back (why re-applying a MAC-less YAML keeps MACs).</summary>
    RestoreOld,

    /// <summary>The interface asks for another MAC: register it; the old one is released at commit.</summary>
    Changed,

    /// <summary>A new interface with a MAC of the user's.</summary>
    NewRequested,

    /// <summary>A new interface without a MAC: allocate one.</summary>
    NewAllocate,
}

/// <summary>
/// What one interface of the new spec needs. <see cref="Mac"/> is the MAC it ends up with (null for
/// <see cref="InterfaceChange.NewAllocate"/>, and for a Keep of an interface that never had one); <see cref="OldMac"/>
/// is the old spec's MAC for the interface of that name, if any.
/// </summary>
public sealed record InterfacePlan(VmInterface Interface, InterfaceChange Change, string? OldMac)
{
    public string? Mac => Change == InterfaceChange.RestoreOld ? OldMac : Interface.MacAddress;

    /// <summary>Whether the webhook must write a MAC into this interface (restored now, or allocated).</summary>
    public bool NeedsPatch => Change is InterfaceChange.RestoreOld or InterfaceChange.NewAllocate;
}

/// <summary>
/// The update path of the VM webhook (spec §3.7): interfaces are matched by name between the old and the new spec.
/// There is no binding check on this path (an upstream quirk kept: an interface added by an update gets a MAC
/// whatever its binding, and one that kept its name keeps its MAC). Removed interfaces are not released here:
/// commit releases them once the update is persisted. <see cref="Removed"/> holds the old spec's interfaces (their
/// <see cref="VmInterface.MacAddress"/> is the MAC to release) that the new spec no longer names.
/// </summary>
public sealed record InterfaceUpdatePlan(IReadOnlyList<InterfacePlan> Interfaces, IReadOnlyList<VmInterface> Removed)
{
    /// <param name="sameMac">
    /// Whether two MAC texts are the same address (the webhook passes a normalising compare, so
    /// <c>02-00-00-00-00-AA</c> equals <c>02:00:00:00:00:aa</c>).
    /// </param>
    public static InterfaceUpdatePlan Compute(VirtualMachineInterfaces old, VirtualMachineInterfaces updated, Func<string, string, bool> sameMac)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(sameMac);

        // Upstream builds a name-keyed map: with duplicate names the last one wins.
        var oldByName = new Dictionary<string, VmInterface>(StringComparer.Ordinal);
        foreach (var iface in old.Interfaces)
        {
            oldByName[iface.Name] = iface;
        }

        var plans = updated.Interfaces.Select(iface => Plan(iface, oldByName.GetValueOrDefault(iface.Name), sameMac)).ToList();
        var kept = updated.Interfaces.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var removed = oldByName.Values.Where(i => !kept.Contains(i.Name)).OrderBy(i => i.Index).ToList();
        return new InterfaceUpdatePlan(plans, removed);
    }

    private static InterfacePlan Plan(VmInterface iface, VmInterface? before, Func<string, string, bool> sameMac)
    {
        if (before is null)
        {
            return new InterfacePlan(iface, iface.MacAddress is null ? InterfaceChange.NewAllocate : InterfaceChange.NewRequested, null);
        }

        if (iface.MacAddress is null)
        {
            // An interface that never had a MAC (its VM predates management of the namespace) stays without one.
            return new InterfacePlan(iface, before.MacAddress is null ? InterfaceChange.Keep : InterfaceChange.RestoreOld, before.MacAddress);
        }

        return new InterfacePlan(
            iface, before.MacAddress is not null && sameMac(iface.MacAddress, before.MacAddress) ? InterfaceChange.Keep : InterfaceChange.Changed, before.MacAddress);
    }
}
