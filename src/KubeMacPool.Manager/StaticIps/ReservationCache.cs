using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// The shared IPReservation cache as the reservation controller reads it: by key, by VM, and the few reservations
/// waiting for an address or being deleted (indexed, so neither a VM's pass nor a freed address scans them all).
/// </summary>
internal sealed class ReservationCache(Informer<IpReservation> informer)
{
    private const string ByVirtualMachineIndex = "dhcp-reservations-by-vm";
    private const string PhaseIndex = "dhcp-reservations-by-phase";
    private const string Waiting = "waiting";
    private const string Deleting = "deleting";

    // Indexes must exist before the informer stores its first list; singletons are built before hosted services start.
    private readonly ObjectCache<IpReservation> _cache = WithIndexes(informer.Cache);

    public int Count => _cache.Count;

    public IpReservation? Get(string key) => _cache.Get(key);

    public IReadOnlyList<IpReservation> List() => _cache.List();

    /// <summary>The reservations whose spec names this VM (its own, or leftovers of an earlier VM of that name).</summary>
    public IReadOnlyList<IpReservation> OfVirtualMachine(string vmKey) => _cache.ByIndex(ByVirtualMachineIndex, vmKey);

    /// <summary>Reservations without an address (as far as their status says), not being deleted.</summary>
    public IReadOnlyList<IpReservation> WaitingForAddress() => _cache.ByIndex(PhaseIndex, Waiting);

    public IReadOnlyList<IpReservation> BeingDeleted() => _cache.ByIndex(PhaseIndex, Deleting);

    public static bool IsWaiting(IpReservation reservation) =>
        reservation.Metadata.DeletionTimestamp is null
        && reservation.Status?.Conditions?.FirstOrDefault(c => c.Type == IpReservation.AllocatedCondition) is not { Status: "True" };

    private static ObjectCache<IpReservation> WithIndexes(ObjectCache<IpReservation> cache)
    {
        cache.AddIndex(ByVirtualMachineIndex, r => string.IsNullOrEmpty(r.Spec?.VirtualMachine)
            ? []
            : [ObjectCache<IpReservation>.KeyOf(r.Metadata.NamespaceProperty, r.Spec.VirtualMachine)]);
        cache.AddIndex(PhaseIndex, r => r.Metadata.DeletionTimestamp is not null ? [Deleting] : IsWaiting(r) ? [Waiting] : []);
        return cache;
    }
}
