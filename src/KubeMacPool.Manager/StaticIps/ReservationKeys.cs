using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

internal enum ReservationKeyKind
{
    Pool,
    Reservation,
    VirtualMachine,
}

/// <summary>One key of the reservation controller's queue: what it is about and that object's cache key.</summary>
internal readonly record struct ReservationKey(ReservationKeyKind Kind, string Name);

/// <summary>
/// The keys of the reservation controller's one queue: <c>pool:NAME</c>, <c>reservation:NS/NAME</c> and
/// <c>vm:NS/NAME</c>, and which keys a change of each kind wakes. Kinds share a queue so that one worker decides every
/// address in order (frees and allocations never race).
/// </summary>
internal static class ReservationKeys
{
    private const string PoolPrefix = "pool:";
    private const string ReservationPrefix = "reservation:";
    private const string VirtualMachinePrefix = "vm:";

    public static string Pool(string name) => PoolPrefix + name;

    public static string Reservation(string reservationKey) => ReservationPrefix + reservationKey;

    public static string VirtualMachine(string @namespace, string name) => VirtualMachinePrefix + @namespace + "/" + name;

    public static IEnumerable<string> Of(IpPool pool) => [Pool(pool.Metadata.Name)];

    /// <summary>
    /// The reservation and its VM: the VM's pass re-creates a reservation deleted from under it and removes one that
    /// is no longer wanted.
    /// </summary>
    public static IEnumerable<string> Of(IpReservation reservation) =>
        string.IsNullOrEmpty(reservation.Spec?.VirtualMachine)
            ? [Reservation(IpamState.Key(reservation))]
            : [Reservation(IpamState.Key(reservation)), VirtualMachine(reservation.Metadata.NamespaceProperty, reservation.Spec.VirtualMachine)];

    public static IEnumerable<string> Of(VirtualMachine vm) => [VirtualMachine(vm.Metadata.NamespaceProperty, vm.Metadata.Name)];

    public static ReservationKey Parse(string key) =>
        key.StartsWith(PoolPrefix, StringComparison.Ordinal) ? new(ReservationKeyKind.Pool, key[PoolPrefix.Length..])
        : key.StartsWith(ReservationPrefix, StringComparison.Ordinal) ? new(ReservationKeyKind.Reservation, key[ReservationPrefix.Length..])
        : key.StartsWith(VirtualMachinePrefix, StringComparison.Ordinal) ? new(ReservationKeyKind.VirtualMachine, key[VirtualMachinePrefix.Length..])
        : throw new ArgumentException($"\"{key}\" is not a reservation controller key", nameof(key));
}
