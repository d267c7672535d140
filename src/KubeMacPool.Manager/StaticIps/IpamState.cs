using KubeMacPool.Core.Ipv4;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>What the controller decided for one reservation: the address it holds (if any) and its condition.</summary>
internal sealed record ReservationDecision(string? Pool, uint? Address, bool Allocated, string Reason, string Message);

/// <summary>
/// The allocation state of every pool, rebuilt from the API (pool specs + reservation statuses) and changed only by
/// the reservation controller's loop. Webhooks read it concurrently, hence the lock. Nothing here is authoritative:
/// a restart replays it from the reservations' statuses.
/// </summary>
internal sealed class IpamState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PoolSlot> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Pool, uint Address)> _assignments = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Network, string Mac), string> _macs = [];
    private readonly Dictionary<string, (string Network, string Mac)> _macOf = new(StringComparer.Ordinal);

    /// <summary>A pool and, when its spec is valid, its allocator and who holds which address.</summary>
    internal sealed class PoolSlot(IpPool pool, IpPoolValidation validation)
    {
        public IpPool Pool { get; } = pool;

        public IpPoolValidation Validation { get; } = validation;

        public Ipv4RangeAllocator? Allocator { get; } = validation.Definition?.CreateAllocator();

        public SortedDictionary<uint, string> Holders { get; } = [];
    }

    /// <summary>True once the first full rebuild ran (until then the webhooks cannot tell what is free).</summary>
    public bool IsSynced { get; private set; }

    /// <summary>
    /// Validates every pool (in name order, so of two overlapping pools the first keeps working) and replays the
    /// reservations' recorded addresses, oldest first. A recorded address that no longer fits (range shrunk, now
    /// excluded, claimed twice) is dropped; that reservation gets a new one on its next reconcile.
    /// </summary>
    public void Rebuild(IEnumerable<IpPool> pools, IEnumerable<IpReservation> reservations)
    {
        lock (_gate)
        {
            _pools.Clear();
            _assignments.Clear();
            _macs.Clear();
            _macOf.Clear();
            var accepted = new List<IpPoolDefinition>();
            foreach (var pool in pools.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
            {
                var validation = IpPoolValidator.Validate(pool.ToInput(), accepted);
                if (validation.Definition is { } definition)
                {
                    accepted.Add(definition);
                }

                _pools[pool.Metadata.Name] = new PoolSlot(pool, validation);
            }

            foreach (var reservation in reservations
                .OrderBy(r => r.Metadata.CreationTimestamp ?? DateTime.MaxValue)
                .ThenBy(Key, StringComparer.Ordinal))
            {
                if (reservation.Status is { Pool: { } poolName, Address: { } text }
                    && Ipv4.TryParse(text, out var address)
                    && _pools.TryGetValue(poolName, out var slot)
                    && slot.Validation.Definition?.Network == reservation.Spec.Network
                    && slot.Allocator?.TryClaim(address) == Ipv4ClaimResult.Claimed)
                {
                    Assign(Key(reservation), slot, address, reservation.Spec.Network, reservation.Status.MacAddress ?? reservation.Spec.MacAddress);
                }
            }

            IsSynced = true;
        }
    }

    public static string Key(IpReservation reservation) => reservation.Metadata.NamespaceProperty + "/" + reservation.Metadata.Name;

    public bool IsPooled(string network)
    {
        lock (_gate)
        {
            return _pools.Values.Any(p => p.Validation.Definition?.Network == network);
        }
    }

    public bool HasPools
    {
        get
        {
            lock (_gate)
            {
                return _pools.Count > 0;
            }
        }
    }

    public IReadOnlyList<string> PoolNames()
    {
        lock (_gate)
        {
            return [.. _pools.Keys];
        }
    }

    /// <summary>Which pool, if any, currently holds an address for this reservation.</summary>
    public string? PoolOf(string reservationKey)
    {
        lock (_gate)
        {
            return _assignments.TryGetValue(reservationKey, out var a) ? a.Pool : null;
        }
    }

    /// <summary>Frees whatever the reservation holds; returns the pool it was in.</summary>
    public string? Release(string reservationKey)
    {
        lock (_gate)
        {
            if (!_assignments.Remove(reservationKey, out var held))
            {
                return null;
            }

            if (_macOf.Remove(reservationKey, out var mac))
            {
                _macs.Remove(mac);
            }

            if (_pools.TryGetValue(held.Pool, out var slot))
            {
                slot.Allocator?.Release(held.Address);
                slot.Holders.Remove(held.Address);
            }

            return held.Pool;
        }
    }

    /// <summary>
    /// Keeps, moves or allocates the reservation's address. A pinned address is claimed when it is free; otherwise the
    /// current address is kept when its pool still serves the network; otherwise the first pool (by name) of the
    /// network with a free address gives one. Failures leave every pool untouched and say why.
    /// </summary>
    public ReservationDecision Decide(IpReservation reservation)
    {
        var key = Key(reservation);
        var network = reservation.Spec.Network;
        var mac = reservation.Spec.MacAddress;
        lock (_gate)
        {
            var candidates = _pools.Values.Where(p => p.Validation.Definition?.Network == network).ToList();
            _assignments.TryGetValue(key, out var current);
            var hasCurrent = _assignments.ContainsKey(key);
            if (candidates.Count == 0)
            {
                Release(key);
                return new ReservationDecision(null, null, false, "NoPool", $"no valid IPPool serves network {network}");
            }

            if (_macs.TryGetValue((network, mac), out var holder) && holder != key)
            {
                Release(key);
                return new ReservationDecision(null, null, false, "DuplicateMAC",
                    $"MAC {mac} already has an address on network {network} through reservation {holder}");
            }

            if (reservation.Spec.IpAddress is { Length: > 0 } pinnedText)
            {
                if (!Ipv4.TryParse(pinnedText, out var pinned))
                {
                    return Keep(hasCurrent, current, "PinnedIPUnavailable", $"pinned address \"{pinnedText}\" is not an IPv4 address");
                }

                if (hasCurrent && current.Address == pinned)
                {
                    return Allocated(key, current.Pool, pinned, network, mac);
                }

                var slot = candidates.FirstOrDefault(p => p.Validation.Definition!.RangeContains(pinned));
                if (slot is null)
                {
                    return Keep(hasCurrent, current, "PinnedIPUnavailable",
                        $"pinned address {pinnedText} is in no allocation range of the pools of network {network}");
                }

                switch (slot.Allocator!.TryClaim(pinned))
                {
                    case Ipv4ClaimResult.Claimed:
                        Release(key);
                        Assign(key, slot, pinned, network, mac);
                        return Allocated(key, slot.Pool.Metadata.Name, pinned, network, mac);
                    case Ipv4ClaimResult.Excluded:
                        return Keep(hasCurrent, current, "PinnedIPUnavailable",
                            $"pinned address {pinnedText} is excluded in pool {slot.Pool.Metadata.Name}");
                    default:
                        return Keep(hasCurrent, current, "PinnedIPUnavailable",
                            $"pinned address {pinnedText} is already reserved for {slot.Holders.GetValueOrDefault(pinned, "another reservation")}");
                }
            }

            if (hasCurrent && candidates.Any(p => p.Pool.Metadata.Name == current.Pool))
            {
                return Allocated(key, current.Pool, current.Address, network, mac);
            }

            Release(key);
            foreach (var slot in candidates)
            {
                if (slot.Allocator!.TryAllocate(out var address))
                {
                    Assign(key, slot, address, network, mac);
                    return Allocated(key, slot.Pool.Metadata.Name, address, network, mac);
                }
            }

            return new ReservationDecision(null, null, false, "PoolExhausted",
                $"every address of network {network} is reserved (pools: {string.Join(", ", candidates.Select(c => c.Pool.Metadata.Name))}); "
                + "the reservation is retried when an address is freed or a pool grows");
        }
    }

    /// <summary>Refusal reason for a pinned address at VM admission, or null when it can be reserved.</summary>
    public string? CheckPinned(string network, string iface, string address, string reservationKey)
    {
        if (!Ipv4.TryParse(address, out var pinned))
        {
            return $"interface {iface}: \"{address}\" is not an IPv4 address";
        }

        lock (_gate)
        {
            var candidates = _pools.Values.Where(p => p.Validation.Definition?.Network == network).ToList();
            if (candidates.Count == 0)
            {
                return $"interface {iface}: no IPPool serves network {network}, so no address can be pinned on it";
            }

            var slot = candidates.FirstOrDefault(p => p.Validation.Definition!.RangeContains(pinned));
            if (slot is null)
            {
                var ranges = string.Join(", ", candidates.Select(c =>
                    $"{c.Pool.Metadata.Name}: {Ipv4.Format(c.Validation.Definition!.RangeStart)}-{Ipv4.Format(c.Validation.Definition.RangeEnd)}"));
                return $"interface {iface}: pinned address {address} is outside the allocation range of network {network} ({ranges})";
            }

            if (slot.Allocator!.IsExcluded(pinned))
            {
                return $"interface {iface}: pinned address {address} is excluded in pool {slot.Pool.Metadata.Name} (server, router or exclude list)";
            }

            return slot.Holders.TryGetValue(pinned, out var holder) && holder != reservationKey
                ? $"interface {iface}: pinned address {address} is already reserved for {holder}"
                : null;
        }
    }

    /// <summary>The pool's objects for its status: allocated address → (MAC, reservation), counts and validation.</summary>
    public PoolSnapshot? Snapshot(string poolName)
    {
        lock (_gate)
        {
            if (!_pools.TryGetValue(poolName, out var slot))
            {
                return null;
            }

            var allocated = slot.Holders.ToDictionary(
                h => Ipv4.Format(h.Key),
                h => (Mac: _macOf.TryGetValue(h.Value, out var m) ? m.Mac : "", Reservation: h.Value),
                StringComparer.Ordinal);
            return new PoolSnapshot(
                slot.Pool,
                slot.Validation,
                allocated,
                slot.Validation.Definition?.Reserved.Select(Ipv4.Format).ToList() ?? [],
                (long)(slot.Allocator?.AllocatedCount ?? 0),
                (long)(slot.Allocator?.AvailableCount ?? 0));
        }
    }

    private static ReservationDecision Keep(bool hasCurrent, (string Pool, uint Address) current, string reason, string message) =>
        hasCurrent
            ? new ReservationDecision(current.Pool, current.Address, false, reason, message + $"; keeping {Ipv4.Format(current.Address)}")
            : new ReservationDecision(null, null, false, reason, message);

    private ReservationDecision Allocated(string key, string pool, uint address, string network, string mac)
    {
        // The MAC may have been edited: the address stays with the interface and is now served to the new MAC.
        if (_macOf.TryGetValue(key, out var old) && old != (network, mac))
        {
            _macs.Remove(old);
        }

        _macOf[key] = (network, mac);
        _macs[(network, mac)] = key;
        return new ReservationDecision(pool, address, true, "Allocated",
            $"{Ipv4.Format(address)} is reserved in pool {pool} for {mac}");
    }

    private void Assign(string key, PoolSlot slot, uint address, string network, string mac)
    {
        _assignments[key] = (slot.Pool.Metadata.Name, address);
        slot.Holders[address] = key;
        _macOf[key] = (network, mac);
        _macs[(network, mac)] = key;
    }
}

internal sealed record PoolSnapshot(
    IpPool Pool,
    IpPoolValidation Validation,
    IReadOnlyDictionary<string, (string Mac, string Reservation)> Allocated,
    IReadOnlyList<string> Excluded,
    long Used,
    long Available);
