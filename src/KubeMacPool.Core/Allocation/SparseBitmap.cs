using System.Numerics;

namespace KubeMacPool.Core.Allocation;

/// <summary>
/// A bitmap over up to 2^48 positions that costs memory only where bits are set: positions are grouped in chunks
/// of 65,536 whose words are allocated on first use and dropped when the chunk empties again. Each chunk counts
/// its set bits, so a search skips full chunks without scanning them and treats absent chunks as all clear.
/// Not thread-safe: the owner serialises access.
/// </summary>
public sealed class SparseBitmap
{
    public const int ChunkBits = 1 << 16;
    private const int WordsPerChunk = ChunkBits / 64;

    private readonly Dictionary<ulong, Chunk> _chunks = [];

    // Next-fit allocation works in one chunk for long runs: remembering it skips most dictionary lookups.
    private ulong _cachedIndex = ulong.MaxValue;
    private Chunk? _cachedChunk;

    public SparseBitmap(ulong length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        Length = length;
    }

    /// <summary>Number of positions.</summary>
    public ulong Length { get; }

    /// <summary>Number of set bits.</summary>
    public ulong Count { get; private set; }

    /// <summary>Chunks currently holding words (for memory accounting).</summary>
    public int AllocatedChunks => _chunks.Count;

    public bool IsSet(ulong position)
    {
        CheckRange(position);
        return TryGetChunk(position / ChunkBits, out var chunk) && chunk.IsSet((int)(position % ChunkBits));
    }

    /// <summary>Sets a bit; returns false when it was already set.</summary>
    public bool Set(ulong position)
    {
        CheckRange(position);
        var index = position / ChunkBits;
        if (!TryGetChunk(index, out var chunk))
        {
            chunk = new Chunk();
            _chunks.Add(index, chunk);
            (_cachedIndex, _cachedChunk) = (index, chunk);
        }

        if (!chunk.Set((int)(position % ChunkBits)))
        {
            return false;
        }

        Count++;
        return true;
    }

    /// <summary>Clears a bit; returns false when it was already clear.</summary>
    public bool Clear(ulong position)
    {
        CheckRange(position);
        var index = position / ChunkBits;
        if (!TryGetChunk(index, out var chunk) || !chunk.Clear((int)(position % ChunkBits)))
        {
            return false;
        }

        Count--;
        if (chunk.Used == 0)
        {
            _chunks.Remove(index);
            (_cachedIndex, _cachedChunk) = (ulong.MaxValue, null);
        }

        return true;
    }

    /// <summary>The first clear position in [<paramref name="from"/>, <paramref name="to"/>], or null.</summary>
    public ulong? FindClear(ulong from, ulong to)
    {
        if (from > to || from >= Length)
        {
            return null;
        }

        to = Math.Min(to, Length - 1);
        for (var index = from / ChunkBits; index <= to / ChunkBits; index++)
        {
            var chunkStart = index * ChunkBits;
            var first = Math.Max(from, chunkStart);
            if (!TryGetChunk(index, out var chunk))
            {
                return first;
            }

            var capacity = Math.Min((ulong)ChunkBits, Length - chunkStart);
            if ((ulong)chunk.Used == capacity)
            {
                continue;
            }

            var last = Math.Min(to, chunkStart + capacity - 1);
            if (chunk.FindClear((int)(first - chunkStart), (int)(last - chunkStart)) is int bit)
            {
                return chunkStart + (ulong)bit;
            }
        }

        return null;
    }

    /// <summary>
    /// Set bits in [<paramref name="from"/>, <paramref name="to"/>]: looks up the chunks the span covers, or walks
    /// the existing chunks when the span covers more chunks than exist (a huge span over a sparse bitmap).
    /// </summary>
    public ulong CountSet(ulong from, ulong to)
    {
        if (from > to || from >= Length)
        {
            return 0;
        }

        to = Math.Min(to, Length - 1);
        ulong count = 0;
        var (firstIndex, lastIndex) = (from / ChunkBits, to / ChunkBits);
        if (lastIndex - firstIndex < (ulong)_chunks.Count)
        {
            for (var index = firstIndex; index <= lastIndex; index++)
            {
                if (_chunks.TryGetValue(index, out var chunk))
                {
                    count += CountIn(index, chunk, from, to);
                }
            }

            return count;
        }

        foreach (var (index, chunk) in _chunks)
        {
            if (index >= firstIndex && index <= lastIndex)
            {
                count += CountIn(index, chunk, from, to);
            }
        }

        return count;
    }

    private static ulong CountIn(ulong index, Chunk chunk, ulong from, ulong to)
    {
        var chunkStart = index * ChunkBits;
        var chunkEnd = chunkStart + ChunkBits - 1;
        return from <= chunkStart && chunkEnd <= to
            ? (ulong)chunk.Used
            : (ulong)chunk.CountSet((int)(Math.Max(from, chunkStart) - chunkStart), (int)(Math.Min(to, chunkEnd) - chunkStart));
    }

    private bool TryGetChunk(ulong index, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Chunk? chunk)
    {
        if (index == _cachedIndex)
        {
            chunk = _cachedChunk!;
            return true;
        }

        if (_chunks.TryGetValue(index, out chunk))
        {
            (_cachedIndex, _cachedChunk) = (index, chunk);
            return true;
        }

        return false;
    }

    private void CheckRange(ulong position) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Length);

    private sealed class Chunk
    {
        private readonly ulong[] _words = new ulong[WordsPerChunk];

        public int Used { get; private set; }

        public bool IsSet(int bit) => (_words[bit >> 6] & (1UL << bit)) != 0;

        public bool Set(int bit)
        {
            ref var word = ref _words[bit >> 6];
            var mask = 1UL << bit;
            if ((word & mask) != 0)
            {
                return false;
            }

            word |= mask;
            Used++;
            return true;
        }

        public bool Clear(int bit)
        {
            ref var word = ref _words[bit >> 6];
            var mask = 1UL << bit;
            if ((word & mask) == 0)
            {
                return false;
            }

            word &= ~mask;
            Used--;
            return true;
        }

        public int CountSet(int first, int last)
        {
            var count = 0;
            for (var w = first >> 6; w <= last >> 6; w++)
            {
                var word = _words[w];
                if (w == first >> 6)
                {
                    word &= ulong.MaxValue << (first & 63);
                }

                if (w == last >> 6 && (last & 63) != 63)
                {
                    word &= (1UL << ((last & 63) + 1)) - 1;
                }

                count += BitOperations.PopCount(word);
            }

            return count;
        }

        /// <summary>First clear bit in [first, last] by whole-word scans.</summary>
        public int? FindClear(int first, int last)
        {
            for (var w = first >> 6; w <= last >> 6; w++)
            {
                var free = ~_words[w];
                if (w == first >> 6)
                {
                    free &= ulong.MaxValue << (first & 63);
                }

                if (free == 0)
                {
                    continue;
                }

                var bit = (w << 6) + BitOperations.TrailingZeroCount(free);
                return bit <= last ? bit : null;
            }

            return null;
        }
    }
}
