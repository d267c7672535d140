using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Pool;

/// <summary>
/// Every MAC held in the cluster's managed namespaces and who holds it. A webhook call reserves MACs for one
/// object in one all-or-nothing transaction; entries may stay pending (with the transaction timestamp) until the
/// persisted object proves the change landed (commit), or the heal loop decides. Releasing an owner removes only
/// that owner's entries: a MAC shared with another owner stays held by it (upstream drops both, spec §12.7).
/// Thread-safe; one lock serialises all changes, so concurrent requests never get the same MAC.
/// </summary>
public sealed class MacPool
{
    public const string RequestedMacTakenError = "failed to allocate requested mac address";

    // Interface names come from users: past this many distinct ones the table starts over instead of growing.
    private const int InternLimit = 1 << 16;

    private readonly Lock _lock = new();
    private readonly Func<ulong, ulong>? _randomOffset;
    private readonly EntryTable _entries = new();

    // Pending entries are few (requests in flight), so their timestamps live apart from the bulk of entries.
    private readonly Dictionary<EntryKey, long> _pending = [];
    private readonly Dictionary<string, string> _interfaceKeys = new(StringComparer.Ordinal);

    // Scratch lists reused under the lock, so a request allocates little beyond its result.
    private readonly List<UndoStep> _undo = [];
    private readonly List<(ulong Mac, string Interface)> _ownerEntries = [];
    private RangeAllocator _allocator;
    private long _allocatedTotal;
    private long _requestedTotal;

    /// <param name="range">The range allocations come from.</param>
    /// <param name="duplicatePolicy">What to do with a requested MAC another owner holds.</param>
    /// <param name="randomOffset">The allocator's start offset in [0, size); a CSPRNG by default, fixed in tests.</param>
    public MacPool(MacRange range, DuplicatePolicy duplicatePolicy = DuplicatePolicy.Reject, Func<ulong, ulong>? randomOffset = null)
    {
        _randomOffset = randomOffset;
        _allocator = new RangeAllocator(range, randomOffset);
        DuplicatePolicy = duplicatePolicy;
    }

    /// <summary>Read at each reservation, so a change applies to the next request.</summary>
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
                return _entries.MacCount;
            }
        }
    }

    /// <summary>Entries (owner, interface, MAC) held; more than <see cref="HeldCount"/> when MACs are shared.</summary>
    public int EntryCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
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
                return _entries.OwnerCount;
            }
        }
    }

    /// <summary>
    /// Reserves MACs for one object's interfaces. All or nothing: on any error no entry of this call remains.
    /// Requested MACs are registered before any allocation, so an allocated MAC is never one the same request asks
    /// for. Every entry made or touched gets <paramref name="pendingSince"/> (null: committed at once). With
    /// <paramref name="dryRun"/> the answer is computed (allocations included) and then undone; the allocation
    /// cursor still moves on, as upstream's does.
    /// </summary>
    public ReservationResult Reserve(MacOwner owner, IReadOnlyList<MacRequest> requests, DateTimeOffset? pendingSince, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var ownerKey = KeyOf(owner);
        var requested = new MacAddress[requests.Count];
        if (ParseRequested(requests, requested) is { } invalid)
        {
            return ReservationResult.Failure(invalid);
        }

        lock (_lock)
        {
            List<MacAddress>? shared = null;
            for (var i = 0; i < requests.Count; i++)
            {
                if (requests[i].Kind == MacRequestKind.Requested && _entries.IsHeldByOther(requested[i].Value, ownerKey))
                {
                    if (DuplicatePolicy == DuplicatePolicy.Reject)
                    {
                        return ReservationResult.Failure(RequestedMacTakenError);
                    }

                    (shared ??= []).Add(requested[i]);
                }
            }

            _undo.Clear();
            var assigned = new MacAssignment[requests.Count];
            foreach (var kind in (ReadOnlySpan<MacRequestKind>)[MacRequestKind.Requested, MacRequestKind.Allocate, MacRequestKind.Touch])
            {
                for (var i = 0; i < requests.Count; i++)
                {
                    if (requests[i].Kind != kind)
                    {
                        continue;
                    }

                    var iface = Intern(requests[i].InterfaceKey);
                    MacAddress mac;
                    switch (kind)
                    {
                        case MacRequestKind.Requested:
                            mac = requested[i];
                            assigned[i] = new MacAssignment(iface, mac, Allocated: false);
                            break;
                        case MacRequestKind.Allocate:
                            if (!_allocator.TryAllocate(out mac))
                            {
                                Undo(ownerKey);
                                return ReservationResult.Failure(RangeAllocator.RangeFullError);
                            }

                            assigned[i] = new MacAssignment(iface, mac, Allocated: true);
                            break;
                        default:
                            mac = requests[i].TouchedMac;
                            if (!_entries.Contains(mac.Value, ownerKey, iface))
                            {
                                continue;
                            }

                            break;
                    }

                    if (kind != MacRequestKind.Touch && AddEntry(mac.Value, ownerKey, iface))
                    {
                        _undo.Add(new UndoStep(mac.Value, iface, Added: true, default));
                    }

                    if (pendingSince is { } since)
                    {
                        var key = new EntryKey(mac.Value, ownerKey, iface);
                        _undo.Add(new UndoStep(mac.Value, iface, Added: false, _pending.TryGetValue(key, out var before) ? before : null));
                        _pending[key] = since.UtcTicks;
                    }
                }
            }

            if (dryRun)
            {
                Undo(ownerKey);
            }
            else
            {
                CountReserved(requests);
            }

            var assignments = new List<MacAssignment>(requests.Count);
            for (var i = 0; i < requests.Count; i++)
            {
                if (requests[i].Kind != MacRequestKind.Touch)
                {
                    assignments.Add(assigned[i]);
                }
            }

            return new ReservationResult(assignments, null, (IReadOnlyList<MacAddress>?)shared ?? []);
        }
    }

    /// <summary>MACs reserved by non-dry-run reservations since start: allocated from the range, and user-requested (for metrics).</summary>
    public (long Allocated, long Requested) ReservationCounts
    {
        get
        {
            lock (_lock)
            {
                return (_allocatedTotal, _requestedTotal);
            }
        }
    }

    /// <summary>
    /// Records a MAC found on a persisted object (startup rebuild, controllers), committed. Never refuses.
    /// Returns true when another owner already holds it (a duplicate to report).
    /// </summary>
    public bool Register(MacOwner owner, string interfaceKey, MacAddress mac)
    {
        var ownerKey = KeyOf(owner);
        lock (_lock)
        {
            var duplicate = _entries.IsHeldByOther(mac.Value, ownerKey);
            var iface = Intern(interfaceKey);
            AddEntry(mac.Value, ownerKey, iface);
            _pending.Remove(new EntryKey(mac.Value, ownerKey, iface));
            return duplicate;
        }
    }

    /// <summary>
    /// Aligns the owner's entries pending since <paramref name="upTo"/> or earlier with the persisted object: an
    /// entry whose (interface, MAC) the object has is committed, any other is released. Later entries belong to a
    /// transaction still in flight and stay pending; committed entries are not touched.
    /// The heal loop uses the same call with its cutoff as <paramref name="upTo"/> and the live object's MACs
    /// (none when the object is gone), which settles exactly the stale entries.
    /// </summary>
    public void Commit(MacOwner owner, DateTimeOffset upTo, IEnumerable<(string InterfaceKey, MacAddress Mac)> persisted)
    {
        ArgumentNullException.ThrowIfNull(persisted);
        var ownerKey = KeyOf(owner);
        var present = new HashSet<(string, ulong)>();
        foreach (var (iface, mac) in persisted)
        {
            present.Add((iface, mac.Value));
        }

        lock (_lock)
        {
            foreach (var (mac, iface) in EntriesOfLocked(ownerKey))
            {
                var key = new EntryKey(mac, ownerKey, iface);
                if (_pending.TryGetValue(key, out var ticks) && ticks <= upTo.UtcTicks)
                {
                    if (present.Contains((iface, mac)))
                    {
                        _pending.Remove(key);
                    }
                    else
                    {
                        RemoveEntry(mac, ownerKey, iface);
                    }
                }
            }
        }
    }

    /// <summary>Removes every entry of the owner; other owners of the same MACs keep theirs. Returns the count removed.</summary>
    public int Release(MacOwner owner)
    {
        var ownerKey = KeyOf(owner);
        lock (_lock)
        {
            var entries = EntriesOfLocked(ownerKey);
            foreach (var (mac, iface) in entries)
            {
                RemoveEntry(mac, ownerKey, iface);
            }

            return entries.Count;
        }
    }

    /// <summary>Entries pending since before <paramref name="cutoff"/>, for the heal loop.</summary>
    public IReadOnlyList<MacEntry> StalePending(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            var stale = new List<MacEntry>();
            foreach (var (key, ticks) in _pending)
            {
                if (ticks < cutoff.UtcTicks)
                {
                    stale.Add(new MacEntry(new MacAddress(key.Mac), MacOwner.FromKey(key.Owner), key.Interface, new DateTimeOffset(ticks, TimeSpan.Zero)));
                }
            }

            return stale;
        }
    }

    /// <summary>The owner's entries, oldest first.</summary>
    public IReadOnlyList<MacEntry> EntriesOf(MacOwner owner)
    {
        var ownerKey = KeyOf(owner);
        lock (_lock)
        {
            return EntriesOfLocked(ownerKey).Select(e => Entry(e.Mac, ownerKey, e.Interface, owner)).ToList();
        }
    }

    /// <summary>The entries holding <paramref name="mac"/>, first holder first.</summary>
    public IReadOnlyList<MacEntry> EntriesAt(MacAddress mac)
    {
        var holders = new List<(string Owner, string Interface)>(1);
        lock (_lock)
        {
            _entries.HoldersOf(mac.Value, holders);
            return holders.Select(h => Entry(mac.Value, h.Owner, h.Interface, MacOwner.FromKey(h.Owner))).ToList();
        }
    }

    /// <summary>Every owner of one kind (<see cref="MacOwner.VirtualMachineKind"/>, <see cref="MacOwner.PodKind"/>) that holds an entry.</summary>
    public IReadOnlyList<MacOwner> Owners(string kind)
    {
        var prefix = kind + "/";
        lock (_lock)
        {
            var owners = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, owner, _) in _entries.All())
            {
                if (owner.StartsWith(prefix, StringComparison.Ordinal))
                {
                    owners.Add(owner);
                }
            }

            return owners.Select(MacOwner.FromKey).ToList();
        }
    }

    public bool IsHeld(MacAddress mac)
    {
        lock (_lock)
        {
            return _entries.IsHeld(mac.Value);
        }
    }

    /// <summary>
    /// Gives back the tables' growth slack. Called once after the startup rebuild, when the pool is at its largest
    /// and about to stay near that size.
    /// </summary>
    public void Compact()
    {
        lock (_lock)
        {
            _entries.TrimExcess();
            _pending.TrimExcess();
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
            foreach (var (mac, _, _) in _entries.All())
            {
                allocator.MarkUsed(new MacAddress(mac));
            }

            _allocator = allocator;
        }
    }

    /// <summary>Copies the allocator's figures, for metrics: range size, held addresses inside it, bitmap chunks in memory.</summary>
    public (ulong RangeSize, ulong UsedInRange, int Chunks) AllocatorFigures()
    {
        lock (_lock)
        {
            return (_allocator.Range.Size, _allocator.UsedCount, _allocator.AllocatedChunks);
        }
    }

    private void CountReserved(IReadOnlyList<MacRequest> requests)
    {
        foreach (var request in requests)
        {
            if (request.Kind == MacRequestKind.Allocate)
            {
                _allocatedTotal++;
            }
            else if (request.Kind == MacRequestKind.Requested)
            {
                _requestedTotal++;
            }
        }
    }

    /// <summary>
    /// Parses the requested MACs in request order, stopping at the first unparsable one or the first MAC two
    /// interfaces ask for (upstream's order of checks). Needs no lock: it reads only the request.
    /// </summary>
    private static string? ParseRequested(IReadOnlyList<MacRequest> requests, MacAddress[] requested)
    {
        Dictionary<MacAddress, string>? seen = null;
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].Kind != MacRequestKind.Requested)
            {
                continue;
            }

            var iface = requests[i].InterfaceKey;
            if (!MacAddress.TryParse(requests[i].RequestedMac, out requested[i], out var error))
            {
                return $"invalid MAC address format for interface {iface}: {requests[i].RequestedMac}: {error}";
            }

            seen ??= [];
            if (!seen.TryAdd(requested[i], iface))
            {
                return $"duplicate MAC address {requested[i]} found on interfaces: {seen[requested[i]]} and {iface}";
            }
        }

        return null;
    }

    private static string KeyOf(MacOwner owner) =>
        owner.Key ?? throw new ArgumentException("an owner needs a kind, namespace and name", nameof(owner));

    private MacEntry Entry(ulong mac, string ownerKey, string iface, MacOwner owner) =>
        new(new MacAddress(mac), owner, iface,
            _pending.TryGetValue(new EntryKey(mac, ownerKey, iface), out var ticks) ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);

    // Copies the owner's entries into the scratch list, which callers may then change the table under.
    private List<(ulong Mac, string Interface)> EntriesOfLocked(string ownerKey)
    {
        _ownerEntries.Clear();
        _entries.EntriesOf(ownerKey, _ownerEntries);
        return _ownerEntries;
    }

    private string Intern(string interfaceKey)
    {
        if (_interfaceKeys.TryGetValue(interfaceKey, out var interned))
        {
            return interned;
        }

        if (_interfaceKeys.Count >= InternLimit)
        {
            _interfaceKeys.Clear();
        }

        _interfaceKeys[interfaceKey] = interfaceKey;
        return interfaceKey;
    }

    private bool AddEntry(ulong mac, string ownerKey, string iface)
    {
        if (!_entries.Add(mac, ownerKey, iface, out var newMac))
        {
            return false;
        }

        if (newMac)
        {
            _allocator.MarkUsed(new MacAddress(mac));
        }

        return true;
    }

    private void RemoveEntry(ulong mac, string ownerKey, string iface)
    {
        _pending.Remove(new EntryKey(mac, ownerKey, iface));
        if (_entries.Remove(mac, ownerKey, iface, out var macFreed) && macFreed)
        {
            _allocator.MarkFree(new MacAddress(mac));
        }
    }

    private void Undo(string ownerKey)
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var step = _undo[i];
            var key = new EntryKey(step.Mac, ownerKey, step.Interface);
            if (step.Added)
            {
                RemoveEntry(step.Mac, ownerKey, step.Interface);
            }
            else if (step.PendingBefore is long ticks)
            {
                _pending[key] = ticks;
            }
            else
            {
                _pending.Remove(key);
            }
        }

        _undo.Clear();
    }

    private readonly record struct EntryKey(ulong Mac, string Owner, string Interface);

    /// <summary>One change of a reservation: an entry added, or an entry's pending timestamp set (with what it was).</summary>
    private readonly record struct UndoStep(ulong Mac, string Interface, bool Added, long? PendingBefore);
}
