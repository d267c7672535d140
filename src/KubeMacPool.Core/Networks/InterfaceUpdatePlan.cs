namespace KubeMacPool.Core.Networks;

public enum InterfaceChange
{
    /// <summary>Same interface, same MAC: nothing to do.</summary>
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

/// <summary>What one interface of the new spec needs.</summary>
public sealed record InterfacePlan(VmInterface Interface, InterfaceChange Change, string? OldMac);

/// <summary>
/// The update path of the VM webhook (upstream §3.7): interfaces matched by name between the old and new spec.
/// No binding check on this path (an upstream quirk kept: an interface keeps its MAC whatever its binding becomes).
/// Removed interfaces are not released here; commit releases them once the update is persisted.
/// </summary>
public static class InterfaceUpdatePlan
{
    public static (IReadOnlyList<InterfacePlan> Plans, IReadOnlyList<VmInterface> Removed) Compute(
        VirtualMachineInterfaces old, VirtualMachineInterfaces updated, Func<string, string, bool> sameMac)
    {
        var oldByName = old.Interfaces.GroupBy(i => i.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var plans = updated.Interfaces.Select(iface =>
        {
            if (!oldByName.TryGetValue(iface.Name, out var before))
            {
                return new InterfacePlan(iface, iface.MacAddress is null ? InterfaceChange.NewAllocate : InterfaceChange.NewRequested, null);
            }

            if (iface.MacAddress is null)
            {
                return new InterfacePlan(iface, before.MacAddress is null ? InterfaceChange.Keep : InterfaceChange.RestoreOld, before.MacAddress);
            }

            return before.MacAddress is not null && sameMac(iface.MacAddress, before.MacAddress)
                ? new InterfacePlan(iface, InterfaceChange.Keep, before.MacAddress)
                : new InterfacePlan(iface, InterfaceChange.Changed, before.MacAddress);
        }).ToList();
        var names = updated.Interfaces.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return (plans, old.Interfaces.Where(i => !names.Contains(i.Name)).ToList());
    }
}
