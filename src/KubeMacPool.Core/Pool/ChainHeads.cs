using System.Diagnostics;

namespace KubeMacPool.Core.Pool;

/// <summary>How <see cref="ChainHeads{TLinks}"/> reads and writes the links its chains are threaded on, and the hash that chose an item's chain.</summary>
internal interface IChainLinks
{
    int Next(int index);

    void SetNext(int index, int next);

    int Hash(int index);
}

/// <summary>
/// Heads of hash chains threaded through items by index; an item is appended at its chain's tail, so a chain lists
/// its items in insertion order. Growing doubles the buckets without rehashing everything in one call: with the
/// multiply-shift mapping, old bucket i splits into new buckets 2i and 2i+1, so each append moves a couple of old
/// buckets over (keeping each chain's order) and lookups read the old array for buckets not moved yet. A single
/// call then costs a few chains plus, when a doubling starts, zeroing the new array (a few MB: about a millisecond),
/// never rethreading every item. Not thread-safe.
/// </summary>
internal sealed class ChainHeads<TLinks>(TLinks links)
    where TLinks : struct, IChainLinks
{
    private const int MinimumLength = 16;

    // Old buckets moved per append. A doubling starts when items pass the bucket count, so at this pace it is over
    // after half as many appends again, long before items pass the doubled count.
    private const int MovesPerAppend = 2;

    private readonly TLinks _links = links;

    // Item index + 1 per bucket: a fresh array means "all chains empty".
    private int[] _heads = [];

    // While growing: the previous array, of which buckets [0, _moved) have been moved to _heads.
    private int[] _old = [];
    private int _moved;
    private int _count;

    public int Length => _heads.Length;

    public bool Growing => _old.Length > 0;

    /// <summary>The first item of the hash's chain, or -1.</summary>
    public int First(int hash) => _heads.Length == 0 ? -1 : HeadOf(hash) - 1;

    public void Append(int index, int hash)
    {
        if (_heads.Length == 0)
        {
            _heads = new int[MinimumLength];
        }

        _links.SetNext(index, -1);
        ref var head = ref HeadOf(hash);
        if (head == 0)
        {
            head = index + 1;
        }
        else
        {
            var last = head - 1;
            while (_links.Next(last) >= 0)
            {
                last = _links.Next(last);
            }

            _links.SetNext(last, index);
        }

        _count++;
        if (Growing)
        {
            Move(MovesPerAppend);
        }
        else if (_count > _heads.Length)
        {
            (_old, _heads, _moved) = (_heads, new int[_heads.Length * 2], 0);
            Move(MovesPerAppend);
        }
    }

    public void Remove(int index, int hash)
    {
        _count--;
        ref var head = ref HeadOf(hash);
        if (head - 1 == index)
        {
            head = _links.Next(index) + 1;
            return;
        }

        var previous = head - 1;
        while (_links.Next(previous) != index)
        {
            previous = _links.Next(previous);
        }

        _links.SetNext(previous, _links.Next(index));
    }

    /// <summary>Rehashes every chain into one bucket per item (none when empty): the trim after a bulk load, which may cost every item.</summary>
    public void TrimExcess()
    {
        Move(int.MaxValue);
        var length = _count == 0 ? 0 : Math.Max(MinimumLength, _count);
        var heads = new int[length];
        var tails = new int[length];

        // Items of one key share a chain in both arrays and are met in chain order, so each key keeps its order.
        foreach (var first in _heads)
        {
            for (var index = first - 1; index >= 0;)
            {
                var next = _links.Next(index);
                _links.SetNext(index, -1);
                var bucket = Bucket(_links.Hash(index), length);
                if (tails[bucket] == 0)
                {
                    heads[bucket] = index + 1;
                }
                else
                {
                    _links.SetNext(tails[bucket] - 1, index);
                }

                tails[bucket] = index + 1;
                index = next;
            }
        }

        _heads = heads;
    }

    // Maps a 32-bit hash onto [0, length) without a division (Lemire's multiply-shift).
    private static int Bucket(int hash, int length) => (int)(((ulong)(uint)hash * (uint)length) >> 32);

    private ref int HeadOf(int hash)
    {
        if (_old.Length > 0)
        {
            var old = Bucket(hash, _old.Length);
            if (old >= _moved)
            {
                return ref _old[old];
            }
        }

        return ref _heads[Bucket(hash, _heads.Length)];
    }

    // Splits old buckets into their two new ones, each item appended at its new chain's tail, so order is kept.
    private void Move(int buckets)
    {
        for (; buckets > 0 && _moved < _old.Length; buckets--, _moved++)
        {
            var (lowTail, highTail) = (-1, -1);
            for (var index = _old[_moved] - 1; index >= 0;)
            {
                var next = _links.Next(index);
                _links.SetNext(index, -1);
                var bucket = Bucket(_links.Hash(index), _heads.Length);
                Debug.Assert(bucket >> 1 == _moved, "a doubling splits bucket i into 2i and 2i+1");
                ref var tail = ref bucket == _moved * 2 ? ref lowTail : ref highTail;
                if (tail < 0)
                {
                    _heads[bucket] = index + 1;
                }
                else
                {
                    _links.SetNext(tail, index);
                }

                tail = index;
                index = next;
            }
        }

        if (_moved == _old.Length)
        {
            _old = [];
        }
    }
}
