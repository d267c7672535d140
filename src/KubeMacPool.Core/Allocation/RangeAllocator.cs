using System.Security.Cryptography;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Allocation;

/// <summary>
/// Hands out free addresses of a <see cref="MacRange"/> next-fit from a cursor. The cursor starts at a
/// cryptographically random offset (clusters sharing a range do not collide on their first MACs) and moves past
/// every address it hands out, so a freed address is reused only after the cursor has come round (no stale ARP or
/// DHCP entries pointing at a new owner). Not thread-safe: the pool serialises access.
/// </summary>
public sealed class RangeAllocator
{
    public const string RangeFullError = "the range is full";

    private readonly SparseBitmap _used;
    private ulong _cursor;

    /// <param name="range">The range to allocate from.</param>
    /// <param name="randomOffset">Picks the start offset in [0, size); a CSPRNG by default, fixed in tests.</param>
    public RangeAllocator(MacRange range, Func<ulong, ulong>? randomOffset = null)
    {
        Range = range;
        _used = new SparseBitmap(range.Size);
        _cursor = (randomOffset ?? RandomOffset)(range.Size) % range.Size;
    }

    public MacRange Range { get; }

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
        var offset = _used.FindClear(_cursor, _used.Length - 1) ?? (_cursor == 0 ? null : _used.FindClear(0, _cursor - 1));
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

    private static ulong RandomOffset(ulong size)
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes) % size;
    }
}
