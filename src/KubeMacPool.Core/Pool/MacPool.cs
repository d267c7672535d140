using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Pool;

/// <summary>
/// Every MAC held in the cluster's managed namespaces and who holds it. A webhook call reserves MACs for one
/// object in one all-or-nothing transaction; entries may stay pending (with the transaction timestamp) until the
/// persisted object proves the change landed (commit), or the heal loop decides. Releasing an owner removes only
/// that owner's entries: a MAC shared with another owner stays held by it.
/// Thread-safe; one lock serialises all changes, so concurrent requests never get the same MAC.
/// </summary>
public sealed class MacPool
{
    public const string RequestedMacTakenError = "failed to allocate requested mac address";

    private readonly Lock _lock = new();
    private readonly Func<ulong, ulong>? _randomOffset;

    // First holder of each MAC; further holders of shared MACs (rare) in _extraHolders.
    private readonly Dictionary<ulong, Holder> _holders = [];
    private readonly Dictionary<ulong, List<Holder>> _extraHolders = [];
    private readonly Dictionary<string, OwnerMacs> _owners = new(StringComparer.Ordinal);

    // MACs beyond the two an owner keeps inline (VMs with many NICs): rare, so kept apart.
    private readonly Dictionary<string, List<ulong>> _ownerExtraMacs = new(StringComparer.Ordinal);

    // Pending entries are few (requests in flight), so their timestamps live apart from the bulk of entries.
    private readonly Dictionary<(ulong Mac, string Owner, string Interface), long> _pending = [];
    private readonly Dictionary<string, string> _interfaceKeys = new(StringComparer.Ordinal);
    private RangeAllocator _allocator;

    public MacPool(MacRange range, DuplicatePolicy duplicatePolicy = DuplicatePolicy.Reject, Func<ulong, ulong>? randomOffset = null)
    {
        _randomOffset = randomOffset;
        _allocator = new RangeAllocator(range, randomOffset);
        DuplicatePolicy = duplicatePolicy;
    }

    public DuplicatePolicy DuplicatePolicy { get; set; }

    public MacRange Range
    {
        get
        {
            lock (_lock)
            {
                return _allocator.Range;
            }
        }
    }

    /// <summary>Distinct MACs held.</summary>
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _holders.Count;
            }
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    public int OwnerCount
    {
        get
        {
            lock (_lock)
            {
                return _owners.Count;
            }
        }
    }

    /// <summary>
    /// Reserves MACs for one object's interfaces. All or nothing: on any error no entry of this call remains.
    /// With <paramref name="dryRun"/> the answer is computed (allocations included) and then undone.
    /// </summary>
    public ReservationResult Reserve(MacOwner owner, IReadOnlyList<MacRequest> requests, DateTimeOffset? pendingSince, bool dryRun)
    {
        var requested = new MacAddress[requests.Count];
        var requestedBy = new Dictionary<MacAddress, string>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].Kind != MacRequestKind.Requested)
            {
                continue;
            }

            var iface = requests[i].InterfaceKey;
            if (!MacAddress.TryParse(requests[i].RequestedMac, out requested[i], out var parseError))
            {
                return ReservationResult.Failure($"invalid MAC address format for interface {iface}: {requests[i].RequestedMac}: {parseError}");
            }

            if (!requestedBy.TryAdd(requested[i], iface))
            {
                return ReservationResult.Failure($"duplicate MAC address {requested[i]} found on interfaces: {requestedBy[requested[i]]} and {iface}");
            }
        }

        lock (_lock)
        {
            var ownerKey = OwnerKey(owner);
            var shared = new List<MacAddress>();
            foreach (var mac in requestedBy.Keys)
            {
                if (IsHeldByOther(mac.Value, ownerKey))
                {
                    if (DuplicatePolicy == DuplicatePolicy.Reject)
                    {
                        return ReservationResult.Failure(RequestedMacTakenError);
                    }

                    shared.Add(mac);
                }
            }

            var undo = new List<Action>();
            var assignments = new List<MacAssignment>(requests.Count);
            for (var i = 0; i < requests.Count; i++)
            {
                var iface = Intern(requests[i].InterfaceKey);
                MacAddress mac;
                switch (requests[i].Kind)
                {
                    case MacRequestKind.Allocate:
                        if (!_allocator.TryAllocate(out mac))
                        {
                            Undo(undo);
                            return ReservationResult.Failure(RangeAllocator.RangeFullError);
                        }

                        AddHolder(mac.Value, ownerKey, iface, undo);
                        assignments.Add(new MacAssignment(iface, mac, Allocated: true));
                        break;
                    case MacRequestKind.Requested:
                        mac = requested[i];
                        AddHolder(mac.Value, ownerKey, iface, undo);
                        assignments.Add(new MacAssignment(iface, mac, Allocated: false));
                        break;
                    default:
                        mac = requests[i].TouchedMac;
                        if (!IsHolder(mac.Value, ownerKey, iface))
                        {
                            continue;
                        }

                        break;
                }

                if (pendingSince is { } since)
                {
                    SetPending((mac.Value, ownerKey, iface), since.UtcTicks, undo);
                }
            }

            if (dryRun)
            {
                Undo(undo);
            }

            return new ReservationResult(assignments, null, shared);
        }
    }

    /// <summary>
    /// Records a MAC found on a persisted object (startup rebuild, controllers), committed. Never refuses.
    /// Returns true when another owner already holds it (a duplicate to report).
    /// </summary>
    public bool Register(MacOwner owner, string interfaceKey, MacAddress mac)
    {
        lock (_lock)
        {
            var ownerKey = OwnerKey(owner);
            var duplicate = IsHeldByOther(mac.Value, ownerKey);
            var iface = Intern(interfaceKey);
            AddHolder(mac.Value, ownerKey, iface, undo: null);
            _pending.Remove((mac.Value, ownerKey, iface));
            return duplicate;
        }
    }

    /// <summary>
    /// Aligns the owner's pending entries made at or before <paramref name="upTo"/> with the persisted object:
    /// an entry whose (interface, MAC) the object has is committed, any other is released. Later entries belong
    /// to a transaction still in flight and stay pending.
    /// </summary>
    public void Commit(MacOwner owner, DateTimeOffset upTo, IEnumerable<(string InterfaceKey, MacAddress Mac)> persisted)
    {
        var present = persisted.Select(p => (p.InterfaceKey, p.Mac.Value)).ToHashSet();
        lock (_lock)
        {
            var ownerKey = owner.Key;
            foreach (var (mac, iface) in HoldersOf(ownerKey))
            {
                if (_pending.TryGetValue((mac, ownerKey, iface), out var ticks) && ticks <= upTo.UtcTicks)
                {
                    if (present.Contains((iface, mac)))
                    {
                        _pending.Remove((mac, ownerKey, iface));
                    }
                    else
                    {
                        RemoveHolder(mac, ownerKey, iface);
                    }
                }
            }
        }
    }

    /// <summary>Removes every entry of the owner; other owners of the same MACs keep theirs.</summary>
    public int Release(MacOwner owner)
    {
        lock (_lock)
        {
            var ownerKey = owner.Key;
            var holders = HoldersOf(ownerKey);
            foreach (var (mac, iface) in holders)
            {
                RemoveHolder(mac, ownerKey, iface);
            }

            return holders.Count;
        }
    }

    /// <summary>Entries pending since before <paramref name="cutoff"/>, for the heal loop.</summary>
    public IReadOnlyList<MacEntry> StalePending(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            return _pending
                .Where(p => p.Value < cutoff.UtcTicks)
                .Select(p => new MacEntry(new MacAddress(p.Key.Mac), MacOwner.FromKey(p.Key.Owner), p.Key.Interface, new DateTimeOffset(p.Value, TimeSpan.Zero)))
                .ToList();
        }
    }

    public IReadOnlyList<MacEntry> EntriesOf(MacOwner owner)
    {
        lock (_lock)
        {
            return HoldersOf(owner.Key).Select(h => Entry(h.Mac, owner.Key, h.Interface, owner)).ToList();
        }
    }

    public IReadOnlyList<MacEntry> EntriesAt(MacAddress mac)
    {
        lock (_lock)
        {
            return AllHolders(mac.Value).Select(h => Entry(mac.Value, h.Owner, h.Interface, MacOwner.FromKey(h.Owner))).ToList();
        }
    }

    /// <summary>
    /// Gives back the tables' growth slack (a table that just grew past 1M entries holds 1.4M slots). Called once
    /// after the startup rebuild, when the pool is at its largest and about to stay that size.
    /// </summary>
    public void Compact()
    {
        lock (_lock)
        {
            _holders.TrimExcess();
            _owners.TrimExcess();
            _ownerExtraMacs.TrimExcess();
            _pending.TrimExcess();
        }
    }

    /// <summary>Every owner of one kind ("vm", "pod") that holds an entry, for reconciling after a relist.</summary>
    public IReadOnlyList<MacOwner> Owners(string kind)
    {
        lock (_lock)
        {
            var prefix = kind + "/";
            return _owners.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(MacOwner.FromKey).ToList();
        }
    }

    public bool IsHeld(MacAddress mac)
    {
        lock (_lock)
        {
            return _holders.ContainsKey(mac.Value);
        }
    }

    /// <summary>
    /// Switches to a new range at runtime. Entries are untouched, inside or outside the new range; the new
    /// allocator learns which of its addresses are held and starts from a fresh random cursor.
    /// </summary>
    public void ReplaceRange(MacRange range)
    {
        lock (_lock)
        {
            var allocator = new RangeAllocator(range, _randomOffset);
            foreach (var mac in _holders.Keys)
            {
                allocator.MarkUsed(new MacAddress(mac));
            }

            _allocator = allocator;
        }
    }

    /// <summary>Copies the allocator's figures, for metrics.</summary>
    public (ulong RangeSize, ulong UsedInRange, int Chunks) AllocatorFigures()
    {
        lock (_lock)
        {
            return (_allocator.Range.Size, _allocator.UsedCount, _allocator.AllocatedChunks);
        }
    }

    private MacEntry Entry(ulong mac, string ownerKey, string iface, MacOwner owner) =>
        new(new MacAddress(mac), owner, iface,
            _pending.TryGetValue((mac, ownerKey, iface), out var ticks) ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);

    // MacOwner builds its key once, so the entries of one request share one string.
    private static string OwnerKey(MacOwner owner) => owner.Key;

    private string Intern(string interfaceKey)
    {
        if (!_interfaceKeys.TryGetValue(interfaceKey, out var interned))
        {
            _interfaceKeys[interfaceKey] = interned = interfaceKey;
        }

        return interned;
    }

    private IEnumerable<Holder> AllHolders(ulong mac)
    {
        if (_holders.TryGetValue(mac, out var first))
        {
            yield return first;
            if (_extraHolders.TryGetValue(mac, out var extra))
            {
                foreach (var holder in extra)
                {
                    yield return holder;
                }
            }
        }
    }

    private List<ulong> MacsOf(string ownerKey)
    {
        var macs = new List<ulong>(2);
        if (_owners.TryGetValue(ownerKey, out var inline))
        {
            inline.AddTo(macs);
        }

        if (_ownerExtraMacs.TryGetValue(ownerKey, out var extra))
        {
            macs.AddRange(extra);
        }

        return macs;
    }

    private List<(ulong Mac, string Interface)> HoldersOf(string ownerKey)
    {
        var holders = new List<(ulong, string)>(2);
        foreach (var mac in MacsOf(ownerKey))
        {
            foreach (var holder in AllHolders(mac))
            {
                if (holder.Owner == ownerKey)
                {
                    holders.Add((mac, holder.Interface));
                }
            }
        }

        return holders;
    }

    private void AddOwnerMac(string ownerKey, ulong mac)
    {
        var inline = _owners.TryGetValue(ownerKey, out var existing) ? existing : default;
        if (_ownerExtraMacs.TryGetValue(ownerKey, out var extra) && extra.Contains(mac))
        {
            return;
        }

        if (!inline.TryAdd(mac))
        {
            if (extra is null)
            {
                _ownerExtraMacs[ownerKey] = extra = [];
            }

            extra.Add(mac);
        }

        _owners[ownerKey] = inline;
    }

    private void RemoveOwnerMac(string ownerKey, ulong mac)
    {
        if (!_owners.TryGetValue(ownerKey, out var inline))
        {
            return;
        }

        if (!inline.Remove(mac) && _ownerExtraMacs.TryGetValue(ownerKey, out var extra) && extra.Remove(mac) && extra.Count == 0)
        {
            _ownerExtraMacs.Remove(ownerKey);
        }

        if (inline.IsEmpty && !_ownerExtraMacs.ContainsKey(ownerKey))
        {
            _owners.Remove(ownerKey);
        }
        else
        {
            _owners[ownerKey] = inline;
        }
    }

    private bool IsHolder(ulong mac, string ownerKey, string iface) => AllHolders(mac).Contains(new Holder(ownerKey, iface));

    private bool IsHeldByOther(ulong mac, string ownerKey) => AllHolders(mac).Any(h => h.Owner != ownerKey);

    private void AddHolder(ulong mac, string ownerKey, string iface, List<Action>? undo)
    {
        var holder = new Holder(ownerKey, iface);
        if (!_holders.TryGetValue(mac, out var first))
        {
            _holders[mac] = holder;
            _allocator.MarkUsed(new MacAddress(mac));
        }
        else if (first == holder || (_extraHolders.TryGetValue(mac, out var extra) && extra.Contains(holder)))
        {
            return;
        }
        else
        {
            (CollectionsGetOrAdd(mac)).Add(holder);
        }

        AddOwnerMac(ownerKey, mac);
        undo?.Add(() => RemoveHolder(mac, ownerKey, iface));
    }

    private List<Holder> CollectionsGetOrAdd(ulong mac)
    {
        if (!_extraHolders.TryGetValue(mac, out var list))
        {
            _extraHolders[mac] = list = new List<Holder>(1);
        }

        return list;
    }

    private void RemoveHolder(ulong mac, string ownerKey, string iface)
    {
        var holder = new Holder(ownerKey, iface);
        _pending.Remove((mac, ownerKey, iface));
        if (!_holders.TryGetValue(mac, out var first))
        {
            return;
        }

        _extraHolders.TryGetValue(mac, out var extra);
        if (first == holder)
        {
            if (extra is { Count: > 0 })
            {
                _holders[mac] = extra[0];
                extra.RemoveAt(0);
            }
            else
            {
                _holders.Remove(mac);
                _allocator.MarkFree(new MacAddress(mac));
            }
        }
        else if (extra is null || !extra.Remove(holder))
        {
            return;
        }

        if (extra is { Count: 0 })
        {
            _extraHolders.Remove(mac);
        }

        if (!AllHolders(mac).Any(h => h.Owner == ownerKey))
        {
            RemoveOwnerMac(ownerKey, mac);
        }
    }

    private void SetPending((ulong, string, string) key, long ticks, List<Action> undo)
    {
        var had = _pending.TryGetValue(key, out var previous);
        _pending[key] = ticks;
        undo.Add(() =>
        {
            if (had)
            {
                _pending[key] = previous;
            }
            else
            {
                _pending.Remove(key);
            }
        });
    }

    private static void Undo(List<Action> undo)
    {
        for (var i = undo.Count - 1; i >= 0; i--)
        {
            undo[i]();
        }
    }

    private readonly record struct Holder(string Owner, string Interface);
}
