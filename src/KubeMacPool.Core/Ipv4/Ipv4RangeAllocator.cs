using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Ipv4;

/// <summary>What <see cref="Ipv4RangeAllocator.TryClaim"/> decided about one address.</summary>
public enum Ipv4ClaimResult
{
    Claimed,
    OutsideRange,
    Excluded,
    AlreadyAllocated,
}

/// <summary>
/// The addresses of one pool's allocation range (inclusive) minus its excluded addresses, over a sparse bitmap (an
/// untouched /8 costs nothing). Allocation is next-fit from a cursor that starts at the range start, so the order is
/// deterministic and a just-freed address is not handed out again at once. Not thread-safe: one owner per pool.
/// </summary>
public sealed class Ipv4RangeAllocator
{
    private readonly SparseBitmap _used;
    private readonly SparseBitmap _excluded;
    private ulong _cursor;

    public Ipv4RangeAllocator(uint start, uint end, IEnumerable<uint> excluded)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, end);
        ArgumentNullException.ThrowIfNull(excluded);
        Start = start;
        End = end;
        _used = new SparseBitmap((ulong)end - start + 1);
        _excluded = new SparseBitmap((ulong)end - start + 1);
        foreach (var address in excluded)
        {
            if (Contains(address))
            {
                _excluded.Set(address - start);
                _used.Set(address - start);
            }
        }

        ExcludedCount = _excluded.Count;
    }

    public uint Start { get; }

    public uint End { get; }

    /// <summary>Addresses in the range that can ever be allocated.</summary>
    public ulong Capacity => (ulong)End - Start + 1 - ExcludedCount;

    public ulong ExcludedCount { get; }

    public ulong AllocatedCount => _used.Count - ExcludedCount;

    public ulong AvailableCount => Capacity - AllocatedCount;

    public bool Contains(uint address) => address >= Start && address <= End;

    public bool IsExcluded(uint address) => Contains(address) && _excluded.IsSet(address - Start);

    public bool IsAllocated(uint address) => Contains(address) && !_excluded.IsSet(address - Start) && _used.IsSet(address - Start);

    /// <summary>The next free address after the cursor (wrapping once); false when every address is taken.</summary>
    public bool TryAllocate(out uint address)
    {
        var last = _used.Length - 1;
        var found = _used.FindClear(_cursor, last) ?? (_cursor > 0 ? _used.FindClear(0, _cursor - 1) : null);
        if (found is not { } offset)
        {
            address = 0;
            return false;
        }

        _used.Set(offset);
        _cursor = offset == last ? 0 : offset + 1;
        address = Start + (uint)offset;
        return true;
    }

    /// <summary>Claims one given address (a replayed reservation or a pinned IP).</summary>
    public Ipv4ClaimResult TryClaim(uint address)
    {
        if (!Contains(address))
        {
            return Ipv4ClaimResult.OutsideRange;
        }

        if (_excluded.IsSet(address - Start))
        {
            return Ipv4ClaimResult.Excluded;
        }

        return _used.Set(address - Start) ? Ipv4ClaimResult.Claimed : Ipv4ClaimResult.AlreadyAllocated;
    }

    /// <summary>Frees an allocated address; false when it was not allocated (or is excluded, which stays taken).</summary>
    public bool Release(uint address) =>
        Contains(address) && !_excluded.IsSet(address - Start) && _used.Clear(address - Start);
}
