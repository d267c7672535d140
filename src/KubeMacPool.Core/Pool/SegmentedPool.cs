using System.Numerics;
using System.Runtime.CompilerServices;

namespace KubeMacPool.Core.Pool;

/// <summary>What <see cref="SegmentedPool{T}"/> needs of an item: whether it is free, and a link free items are threaded on.</summary>
internal interface IPoolItem
{
    bool IsFree { get; }

    int NextFree { get; set; }
}

/// <summary>
/// Items addressed by index, in fixed-size segments, freed items handed out again first. Growing adds a segment and
/// never copies items, so no call costs more than one segment however many items there are; and a segment stays
/// below the large object threshold (85,000 bytes), so items are collected like any young small array.
/// Indexes stay put: callers may link items by index. Not thread-safe.
/// </summary>
internal sealed class SegmentedPool<T>
    where T : struct, IPoolItem
{
    // The largest power of two of items under the threshold (2,048 items of 40 bytes); a power of two makes indexing a shift and a mask.
    private static readonly int Shift = BitOperations.Log2((uint)(84_000 / Unsafe.SizeOf<T>()));
    private static readonly int SegmentLength = 1 << Shift;

    private T[][] _segments = [];
    private int _segmentCount;
    private int _freeHead = -1;

    /// <summary>Items [0, End) have been handed out; the free ones among them are on the free list.</summary>
    public int End { get; private set; }

    /// <summary>Items in use.</summary>
    public int Count { get; private set; }

    public int Capacity { get; private set; }

    public ref T this[int index] => ref _segments[index >> Shift][index & (SegmentLength - 1)];

    /// <summary>Hands out a default item: a freed one if any, else the next one, adding a segment when needed.</summary>
    public int Allocate()
    {
        Count++;
        if (_freeHead >= 0)
        {
            var index = _freeHead;
            _freeHead = this[index].NextFree;
            this[index] = default;
            return index;
        }

        if (End == Capacity)
        {
            AddSegment();
        }

        return End++;
    }

    /// <summary>Clears the item (dropping its references) and keeps it for the next <see cref="Allocate"/>.</summary>
    public void Free(int index)
    {
        ref var item = ref this[index];
        item = default;
        item.NextFree = _freeHead;
        _freeHead = index;
        Count--;
    }

    /// <summary>
    /// Gives back the free items after the last one in use, and the unused end of the last segment. Costs every
    /// item handed out (the free list is rebuilt without those given back): for once after a bulk load.
    /// </summary>
    public void TrimExcess()
    {
        while (End > 0 && this[End - 1].IsFree)
        {
            End--;
        }

        _freeHead = -1;
        for (var i = End - 1; i >= 0; i--)
        {
            if (this[i].IsFree)
            {
                this[i].NextFree = _freeHead;
                _freeHead = i;
            }
        }

        var segments = (End + SegmentLength - 1) >> Shift;
        Array.Clear(_segments, segments, _segmentCount - segments);
        _segmentCount = segments;
        if (segments > 0)
        {
            ref var last = ref _segments[segments - 1];
            Array.Resize(ref last, End - ((segments - 1) << Shift));
        }

        Capacity = End;
    }

    private void AddSegment()
    {
        // A last segment cut short by TrimExcess is brought back to full length first (one segment's copy).
        if (_segmentCount > 0 && _segments[_segmentCount - 1].Length < SegmentLength)
        {
            Array.Resize(ref _segments[_segmentCount - 1], SegmentLength);
        }
        else
        {
            if (_segmentCount == _segments.Length)
            {
                // Segment references only: 600 of them for 1.2 million items.
                Array.Resize(ref _segments, Math.Max(4, _segments.Length * 2));
            }

            _segments[_segmentCount++] = new T[SegmentLength];
        }

        Capacity = ((_segmentCount - 1) << Shift) + SegmentLength;
    }
}
