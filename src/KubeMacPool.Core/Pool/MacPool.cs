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
public sealed partial class MacPool
{
    public const string RequestedMacTakenError = "failed to allocate requested mac address";
    public const string ReservedMacError = "refused reserved MAC address";

    public const string HandoverGuardError = RequestedMacTakenError + ": the previous leader may have handed it out moments ago; retry in a few seconds";

    // Interface names come from users: past this many distinct ones the table starts over instead of growing.
    private const int InternLimit = 1 << 16;

    private readonly Lock _lock = new();
    private readonly Func<ulong, ulong>? _randomOffset;

    // Entries and their pending timestamps; a change costs a few chains, never the whole table (see EntryTable).
    private readonly EntryTable _entries = new();
    private readonly Dictionary<string, string> _interfaceKeys = new(StringComparer.Ordinal);

    // Scratch lists reused under the lock, so a request allocates little beyond its result.
    private readonly List<UndoStep> _undo = [];
    private readonly List<(ulong Mac, string Interface)> _ownerEntries = [];
    private RangeAllocator _allocator;
    private volatile ReservedMacs _reserved = ReservedMacs.Empty;
    private long _allocatedTotal;
    private long _requestedTotal;

    /// <param name="range">The range allocations come from.</param>
    /// <param name="duplicatePolicy">What to do with a requested MAC another owner holds.</param>
    /// <param name="randomOffset">The allocator's start offset in [0, size); a CSPRNG by default, fixed in tests.</param>
    /// <param name="reserved">MACs never allocated nor granted on request; none by default.</param>
    public MacPool(
        MacRange range, DuplicatePolicy duplicatePolicy = DuplicatePolicy.Reject, Func<ulong, ulong>? randomOffset = null, ReservedMacs? reserved = null)
    {
        _randomOffset = randomOffset;
        _reserved = reserved ?? ReservedMacs.Empty;
        _allocator = new RangeAllocator(range, randomOffset) { Reserved = _reserved };
        DuplicatePolicy = duplicatePolicy;
    }

    /// <summary>Read at each reservation, so a change applies to the next request.</summary>
    public DuplicatePolicy DuplicatePolicy { get; set; }

    /// <summary>
    /// MACs never allocated and refused when requested; a new list applies to the next request. Objects that
    /// already hold a reserved MAC keep it (they are reported, never broken).
    /// </summary>
    public ReservedMacs Reserved
    {
        get => _reserved;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_lock)
            {
                _reserved = value;
                _allocator.Reserved = value;
            }
        }
    }

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
                return _entries.PendingCount;
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

    private static string KeyOf(MacOwner owner) =>
        owner.Key ?? throw new ArgumentException("an owner needs a kind, namespace and name", nameof(owner));

    private MacEntry Entry(ulong mac, string ownerKey, string iface, MacOwner owner) =>
        new(new MacAddress(mac), owner, iface,
            _entries.PendingSince(mac, ownerKey, iface) is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);

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
        if (_entries.Remove(mac, ownerKey, iface, out var macFreed) && macFreed)
        {
            _allocator.MarkFree(new MacAddress(mac));
        }
    }
}
