using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// Keeps a VM's set of IPReservations equal to what its interfaces on pooled networks need: missing ones created,
/// changed ones updated, unwanted ones (interface removed, network no longer pooled, leftover of an earlier VM of the
/// same name, VM gone) deleted.
/// </summary>
internal sealed class VirtualMachineReservations(
    IpamState state,
    ReservationApi api,
    ReservationCache reservations,
    Informer<VirtualMachine> virtualMachines,
    ILogger<VirtualMachineReservations> logger)
{
    /// <returns>False when a write failed (logged); the others were still made.</returns>
    public async Task<bool> SyncAsync(string vmKey, CancellationToken cancellationToken)
    {
        var reserved = reservations.OfVirtualMachine(vmKey);

        // No pool at all and nothing reserved: nothing to want and nothing to delete, so the VM (opened from bytes on
        // every read) is not read.
        return (reserved.Count == 0 && !state.HasPools) || await SyncReservationsAsync(vmKey, reserved, cancellationToken);
    }

    private async Task<bool> SyncReservationsAsync(string vmKey, IReadOnlyList<IpReservation> reserved, CancellationToken cancellationToken)
    {
        var ok = true;
        var existing = reserved.Where(r => r.Metadata.DeletionTimestamp is null).ToList();

        if (virtualMachines.Cache.Get(vmKey) is not { } vm || vm.Metadata.DeletionTimestamp is not null)
        {
            // Garbage collection does this too (ownerReference); doing it here covers clusters without it.
            foreach (var orphan in existing)
            {
                ok &= await Write(api.DeleteAsync(orphan, cancellationToken), vmKey, cancellationToken);
            }

            return ok;
        }

        var (ns, name) = (vm.Metadata.NamespaceProperty, vm.Metadata.Name);
        var desired = DesiredReservations.For(ns, name, vm.Spec, PinnedIpAnnotation.ReadOrEmpty(vm.Metadata.Annotations), state.IsPooled);
        foreach (var reservation in existing)
        {
            var wanted = desired.FirstOrDefault(d => d.Name == reservation.Metadata.Name);
            var ownedByThisVm = reservation.Metadata.OwnerReferences?.Any(o => o.Uid == vm.Metadata.Uid) ?? false;
            if (wanted is null || !ownedByThisVm)
            {
                ok &= await Write(api.DeleteAsync(reservation, cancellationToken), vmKey, cancellationToken);
            }
            else if (reservation.Spec.MacAddress != wanted.MacAddress || reservation.Spec.Network != wanted.Network
                     || reservation.Spec.Interface != wanted.Interface || reservation.Spec.IpAddress != wanted.PinnedIp)
            {
                ok &= await Write(api.UpdateSpecAsync(reservation, name, wanted, cancellationToken), vmKey, cancellationToken);
            }
        }

        foreach (var wanted in desired)
        {
            // A reservation of that name still being finalized is re-created once it is gone (its key wakes the VM's).
            if (reservations.Get(ObjectCache<IpReservation>.KeyOf(ns, wanted.Name)) is null)
            {
                ok &= await Write(api.CreateAsync(vm, wanted, cancellationToken), vmKey, cancellationToken);
            }
        }

        return ok;
    }

    private Task<bool> Write(Task write, string vmKey, CancellationToken cancellationToken) =>
        GuardedWrite.TryAsync(write, "VM " + vmKey, logger, cancellationToken);
}
