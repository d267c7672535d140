namespace KubeMacPool.Core.Pool;

/// <summary>
/// The pending timestamps of entries not committed yet, each naming its entry by index. Records live in a
/// <see cref="SegmentedPool{T}"/>, not a dictionary: a storm leaves ~600,000 pending entries, and one resize of a
/// dictionary that size held the pool's lock for 245 ms. Records are grouped in time buckets (2^20 ticks, about
/// 0.1 s) kept in time order, rather than in one list in the order they were stamped: stamps are read from the
/// wall clock before the lock, and an undo puts an older stamp back, so stamping order is only roughly time order.
/// With buckets, "pending since before the cutoff" reads the buckets before the cutoff's and checks the cutoff's
/// own: exact whatever order stamps come in, and a scan of the stale records plus one bucket, not of everything
/// pending. Not thread-safe.
/// </summary>
internal sealed class PendingEntries
{
    private const int BucketShift = 20;

    private readonly SegmentedPool<Record> _records = new();
    private readonly SortedDictionary<long, Bucket> _buckets = [];

    // The bucket stamps went to last: nearly every stamp goes there, so it is kept even while empty.
    private Bucket? _recent;

    public int Count => _records.Count;

    /// <summary>Records that entry <paramref name="entry"/> is pending since <paramref name="ticks"/>; returns the record.</summary>
    public int Add(int entry, long ticks)
    {
        var bucket = Recent(ticks >> BucketShift);
        var index = _records.Allocate();
        _records[index] = new Record { Ticks = ticks, Entry = entry + 1, Previous = -1, Next = bucket.Head };
        if (bucket.Head >= 0)
        {
            _records[bucket.Head].Previous = index;
        }

        bucket.Head = index;
        return index;
    }

    public long Ticks(int record) => _records[record].Ticks;

    public void Remove(int record)
    {
        var (ticks, previous, next) = (_records[record].Ticks, _records[record].Previous, _records[record].Next);
        var key = ticks >> BucketShift;
        var bucket = _recent?.Key == key ? _recent : _buckets[key];
        if (previous >= 0)
        {
            _records[previous].Next = next;
        }
        else
        {
            bucket.Head = next;
        }

        if (next >= 0)
        {
            _records[next].Previous = previous;
        }

        _records.Free(record);
        if (bucket.Head < 0 && bucket != _recent)
        {
            _buckets.Remove(key);
        }
    }

    /// <summary>The (entry, ticks) of records older than <paramref name="cutoff"/>, oldest bucket first.</summary>
    public IEnumerable<(int Entry, long Ticks)> Before(long cutoff)
    {
        var last = cutoff >> BucketShift;
        foreach (var (key, bucket) in _buckets)
        {
            if (key > last)
            {
                yield break;
            }

            for (var index = bucket.Head; index >= 0; index = _records[index].Next)
            {
                if (_records[index].Ticks < cutoff)
                {
                    yield return (_records[index].Entry - 1, _records[index].Ticks);
                }
            }
        }
    }

    public void TrimExcess() => _records.TrimExcess();

    private Bucket Recent(long key)
    {
        if (_recent?.Key == key)
        {
            return _recent;
        }

        if (!_buckets.TryGetValue(key, out var bucket))
        {
            bucket = new Bucket(key);
            _buckets.Add(key, bucket);
        }

        if (_recent is { Head: < 0 } idle)
        {
            _buckets.Remove(idle.Key);
        }

        _recent = bucket;
        return bucket;
    }

    private sealed class Bucket(long key)
    {
        public long Key { get; } = key;

        public int Head { get; set; } = -1;
    }

    // 8 + 4 + 4 + 4 = 20 bytes, 24 with padding; records of one bucket form a doubly linked list.
    private struct Record : IPoolItem
    {
        public long Ticks;
        public int Entry;
        public int Previous;
        public int Next;

        public readonly bool IsFree => Entry == 0;

        public int NextFree
        {
            readonly get => Next;
            set => Next = value;
        }
    }
}
