using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Pool;

// Leadership handover: a new leader's pool has every persisted object, but not the MACs the previous leader handed
// out in responses whose objects are not persisted or not seen yet. Those lie just behind the previous leader's
// allocation cursor (next-fit), so the new leader allocates beyond them and, for a settle period, refuses requested
// MACs inside that span unless this pool knows who holds them.
public sealed partial class MacPool
{
    private (ulong From, ulong To)? _guard;

    /// <summary>Where the next allocation starts looking; the leader publishes it so a successor can start beyond it.</summary>
    public MacAddress AllocationCursor
    {
        get
        {
            lock (_lock)
            {
                return _allocator.Cursor;
            }
        }
    }

    /// <summary>True while a handover guard span is set.</summary>
    public bool HandoverGuarded
    {
        get
        {
            lock (_lock)
            {
                return _guard is not null;
            }
        }
    }

    /// <summary>
    /// Starts allocating at <paramref name="lastCursor"/> (the previous leader's last published cursor) plus
    /// <paramref name="skipFree"/> free addresses, and guards the span from <paramref name="guardFrom"/> (a cursor it
    /// published a settle period ago) to the new cursor: a requested MAC in it that nobody here holds is refused until
    /// <see cref="EndHandover"/>. Returns the addresses skipped.
    /// </summary>
    public ulong BeginHandover(MacAddress guardFrom, MacAddress lastCursor, ulong skipFree)
    {
        lock (_lock)
        {
            var skipped = _allocator.SkipFrom(lastCursor, skipFree);
            var range = _allocator.Range;
            var from = range.Contains(guardFrom) ? range.OffsetOf(guardFrom) : range.OffsetOf(_allocator.Cursor);
            _guard = (from, range.OffsetOf(_allocator.Cursor));
            return skipped;
        }
    }

    /// <summary>Ends the settle period: requested MACs are judged by the pool alone again.</summary>
    public void EndHandover()
    {
        lock (_lock)
        {
            _guard = null;
        }
    }

    /// <summary>
    /// Registers the MACs a persisted object carries that its owner does not hold yet (admitted by another replica,
    /// or before this process knew), committed, and leaves the owner's own entries and their pending state alone.
    /// Returns the MACs another owner holds too (duplicates to report).
    /// </summary>
    public IReadOnlyList<MacAddress> Adopt(MacOwner owner, IEnumerable<(string InterfaceKey, MacAddress Mac)> persisted)
    {
        ArgumentNullException.ThrowIfNull(persisted);
        var ownerKey = KeyOf(owner);
        List<MacAddress>? duplicates = null;
        lock (_lock)
        {
            foreach (var (interfaceKey, mac) in persisted)
            {
                if (_entries.Contains(mac.Value, ownerKey, interfaceKey))
                {
                    continue;
                }

                if (_entries.IsHeldByOther(mac.Value, ownerKey))
                {
                    (duplicates ??= []).Add(mac);
                }

                AddEntry(mac.Value, ownerKey, Intern(interfaceKey));
            }
        }

        return (IReadOnlyList<MacAddress>?)duplicates ?? [];
    }

    // Under the lock: a requested MAC nobody here holds, inside the span the previous leader may have handed out.
    private bool InHandoverGuard(MacAddress mac)
    {
        if (_guard is not var (from, to) || !_allocator.Range.Contains(mac) || _entries.IsHeld(mac.Value))
        {
            return false;
        }

        var offset = _allocator.Range.OffsetOf(mac);
        return from <= to ? offset >= from && offset < to : offset >= from || offset < to;
    }
}
