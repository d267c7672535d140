namespace KubeMacPool.Core.Ipam;

/// <summary>What the claim controller knows about one object (a VM or its VMI) at reconcile time.</summary>
public enum ObjectState
{
    Absent,
    Present,

    /// <summary>Present with a deletionTimestamp.</summary>
    Deleting,
}

/// <summary>
/// When the claims of a VM (or standalone VMI) may lose their finalizer, after which the garbage collector removes
/// them with their owner and the IPAM plugin frees the IPs. The finalizer exists for foreground deletion: the
/// collector would otherwise delete the claims while the launcher pod still uses the IPs.
/// </summary>
public static class ClaimCleanup
{
    /// <param name="vm">The VirtualMachine of that name.</param>
    /// <param name="vmi">The VirtualMachineInstance of that name.</param>
    /// <param name="vmiHasActivePods">Whether the VMI's <c>status.activePods</c> lists any pod.</param>
    public static bool ShouldRemoveFinalizers(ObjectState vm, ObjectState vmi, bool vmiHasActivePods) => vm switch
    {
        // A stopped VM keeps its claims (and IPs): only its deletion, once the VMI is gone, releases them.
        ObjectState.Present or ObjectState.Deleting => vmi == ObjectState.Absent && vm == ObjectState.Deleting,

        // No VM (a standalone VMI, or the VM is already gone): the VMI is gone, or going with no pod left.
        _ => vmi == ObjectState.Absent || (vmi == ObjectState.Deleting && !vmiHasActivePods),
    };
}
