using System.Security.Cryptography;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Allocation;

/// <summary>
/// Hands out free addresses of a <see cref="MacRange"/> next-fit from a cursor. The cursor starts at a
/// cryptographically random offset (clusters sharing a range do not collide on their first MACs) and moves past
/// every address it hands out, so a freed address is reused only after the cursor has come round (no stale ARP or
/// DHCP entries pointing at a new owner). Reserved MACs are skipped interval by interval, never marked, so a huge
/// reserved block costs no bitmap memory. Not thread-safe: the pool serialises access.
/// </summary>
public sealed class RangeAllocator
{
    public const string RangeFullError = "the range is full";

    private readonly SparseBitmap _used;
    private readonly ulong _rangeStart;
    private ulong _cursor;

    // Next-fit walks forward, so the reserved interval ahead of it is remembered: no reserved MAC lies in
    // [_clearFrom, _nextReservedStart), and [_nextReservedStart, _nextReservedEnd] is reserved. A free bit below the
    // interval costs one comparison; passing it tries the next index, and only a wrap or a new list searches.
    private ReservedMacs? _hintFor;
    private ulong _clearFrom;
    private ulong _nextReservedStart;
    private ulong _nextReservedEnd;
    private int _nextReservedIndex = -1;

    /// <param name="range">The range to allocate from.</param>
    /// <param name="randomOffset">Picks the start offset in [0, size); a CSPRNG by default, fixed in tests.</param>
    public RangeAllocator(MacRange range, Func<ulong, ulong>? randomOffset = null)
    {
        Range = range;
        _rangeStart = range.Start.Value;
        _used = new SparseBitmap(range.Size);
        _cursor = (randomOffset ?? RandomOffset)(range.Size) % range.Size;
    }

    public MacRange Range { get; }

    /// <summary>MACs never handed out; a new list applies to the next allocation.</summary>
    public ReservedMacs Reserved { get; set; } = ReservedMacs.Empty;

    /// <summary>Addresses of the range currently marked used.</summary>
    public ulong UsedCount => _used.Count;

    /// <summary>Bit-array chunks in memory (each 8 KiB).</summary>
    public int AllocatedChunks => _used.AllocatedChunks;

    /// <summary>
    /// Takes the next free address; with <paramref name="dryRun"/> nothing is marked, but the cursor still moves
    /// on (as upstream: two dry runs answer two different MACs).
    /// </summary>
    public bool TryAllocate(out MacAddress mac, bool dryRun = false)
    {
        var offset = FindFree(_cursor, _used.Length - 1) ?? (_cursor == 0 ? null : FindFree(0, _cursor - 1));
        if (offset is not ulong found)
        {
            mac = default;
            return false;
        }

        if (!dryRun)
        {
            _used.Set(found);
        }

        _cursor = found + 1 == _used.Length ? 0 : found + 1;
        mac = Range.At(found);
        return true;
    }

    /// <summary>Marks an address used (one the user asked for, or one found at startup); out-of-range ones are ignored.</summary>
    public bool MarkUsed(MacAddress mac) => Range.Contains(mac) && _used.Set(Range.OffsetOf(mac));

    /// <summary>Marks an address free again; out-of-range ones are ignored.</summary>
    public bool MarkFree(MacAddress mac) => Range.Contains(mac) && _used.Clear(Range.OffsetOf(mac));

    /// <summary>Used addresses in [<paramref name="first"/>, <paramref name="last"/>] (clipped to the range).</summary>
    public ulong UsedBetween(MacAddress first, MacAddress last)
    {
        var from = Math.Max(first.Value, Range.Start.Value);
        var to = Math.Min(last.Value, Range.End.Value);
        return from > to ? 0 : _used.CountSet(from - Range.Start.Value, to - Range.Start.Value);
    }

    public bool IsUsed(MacAddress mac) => Range.Contains(mac) && _used.IsSet(Range.OffsetOf(mac));

    /// <summary>Where the next allocation starts looking.</summary>
    public MacAddress Cursor => Range.At(_cursor);

    /// <summary>
    /// Moves the cursor to <paramref name="from"/> (when inside the range) and then past <paramref name="freeCount"/>
    /// free addresses, marking none: a new leader starts beyond what the previous one may have handed out unseen.
    /// Returns how many were skipped (fewer when the range has fewer free addresses).
    /// </summary>
    public ulong SkipFrom(MacAddress from, ulong freeCount)
    {
        if (Range.Contains(from))
        {
            _cursor = Range.OffsetOf(from);
        }

        // Never lap the range: leave at least half of the free addresses ahead of the cursor.
        var free = Range.Size - _used.Count;
        var limit = Math.Min(freeCount, free / 2);
        ulong skipped = 0;
        while (skipped < limit && TryAllocate(out _, dryRun: true))
        {
            skipped++;
        }

        return skipped;
    }

    /// <summary>The first clear, unreserved offset in [from, to].</summary>
    private ulong? FindFree(ulong from, ulong to)
    {
        var reserved = Reserved;
        while (_used.FindClear(from, to) is ulong found)
        {
            // The common cases inline: no list (one length check), or a free bit below the next reserved interval.
            var mac = _rangeStart + found;
            if (reserved.IsEmpty
                || (ReferenceEquals(reserved, _hintFor) && mac >= _clearFrom && mac < _nextReservedStart)
                || ReservedUpTo(reserved, mac) is not ulong last)
            {
                return found;
            }

            var resume = last - _rangeStart;
            if (resume >= to)
            {
                return null;
            }

            from = resume + 1;
        }

        return null;
    }

    /// <summary>The end of the reserved interval holding <paramref name="mac"/>, or null; through the hint above.</summary>
    private ulong? ReservedUpTo(ReservedMacs reserved, ulong mac)
    {
        var sameList = ReferenceEquals(reserved, _hintFor);
        if (!sameList || mac < _clearFrom || (mac > _nextReservedEnd && _nextReservedIndex >= 0))
        {
            // Walking forward past an interval, the next one is usually the one after it: no search.
            var index = reserved.NextInterval(mac, sameList && mac >= _clearFrom ? _nextReservedIndex + 1 : -1);
            (_hintFor, _clearFrom, _nextReservedIndex) = (reserved, mac, index);
            (_nextReservedStart, _nextReservedEnd) = index >= 0 ? reserved.Interval(index) : (ulong.MaxValue, ulong.MaxValue);
        }

        return mac >= _nextReservedStart ? _nextReservedEnd : null;
    }

    private static ulong RandomOffset(ulong size)
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes) % size;
    }
}
