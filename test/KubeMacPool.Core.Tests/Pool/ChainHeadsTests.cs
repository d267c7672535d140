using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>Chain heads growing a few buckets per append: chains read right and keep insertion order mid-growth.</summary>
public class ChainHeadsTests
{
    [Fact]
    public void Lookups_removes_and_appends_work_while_a_doubling_is_half_done()
    {
        var links = new ArrayLinks(64);
        var heads = new ChainHeads<ArrayLinks>(links);
        var model = new Model(links);

        // 16 buckets at first; the 17th item starts the doubling, and removes move no bucket.
        for (var i = 0; i < 17; i++)
        {
            model.Append(heads, i, key: i % 5);
        }

        Assert.True(heads.Growing);
        model.Check(heads);
        model.Remove(heads, 3);
        model.Remove(heads, 0);
        model.Remove(heads, 16);
        Assert.True(heads.Growing);
        model.Check(heads);

        // Appends move two old buckets each: the doubling is over after eight of them, checked after each.
        var item = 17;
        while (heads.Growing)
        {
            model.Append(heads, item, key: item % 7);
            item++;
            model.Check(heads);
        }

        Assert.Equal(32, heads.Length);
        Assert.InRange(item, 18, 26);
        model.Check(heads);
    }

    [Fact]
    public void Random_appends_and_removes_through_several_doublings_keep_every_chain_in_insertion_order()
    {
        var random = new Random(17);
        var links = new ArrayLinks(6_000);
        var heads = new ChainHeads<ArrayLinks>(links);
        var model = new Model(links);
        var free = new Stack<int>();
        var next = 0;
        var growingChecks = 0;
        for (var op = 0; op < 20_000; op++)
        {
            // Mostly appends at first, then as many removes as appends, so items are reused in any order.
            if (model.Live.Count > 0 && random.Next(op < 10_000 ? 4 : 2) == 0)
            {
                var victim = model.Live[random.Next(model.Live.Count)];
                model.Remove(heads, victim);
                free.Push(victim);
            }
            else
            {
                model.Append(heads, free.TryPop(out var reused) ? reused : next++, key: random.Next(300));
            }

            if (op % (heads.Growing ? 11 : 97) == 0)
            {
                growingChecks += heads.Growing ? 1 : 0;
                model.Check(heads);
            }
        }

        Assert.True(heads.Length >= 4096, $"grew to {heads.Length}");
        Assert.True(growingChecks > 50, $"{growingChecks} checks mid-growth");
        model.Check(heads);
        heads.TrimExcess();
        Assert.Equal(Math.Max(16, model.Live.Count), heads.Length);
        model.Check(heads);
    }

    // Keys hash to values spread over 32 bits, as real hashes do; several keys share a bucket.
    private static int HashOf(int key) => (int)((uint)key * 2654435761u);

    private readonly struct ArrayLinks(int capacity) : IChainLinks
    {
        public int[] Nexts { get; } = new int[capacity];

        public int[] Keys { get; } = new int[capacity];

        public int Next(int index) => Nexts[index];

        public void SetNext(int index, int next) => Nexts[index] = next;

        public int Hash(int index) => HashOf(Keys[index]);
    }

    private sealed class Model(ArrayLinks links)
    {
        private readonly Dictionary<int, List<int>> _byKey = [];

        public List<int> Live { get; } = [];

        public void Append(ChainHeads<ArrayLinks> heads, int item, int key)
        {
            links.Keys[item] = key;
            heads.Append(item, HashOf(key));
            Live.Add(item);
            (_byKey.TryGetValue(key, out var list) ? list : _byKey[key] = []).Add(item);
        }

        public void Remove(ChainHeads<ArrayLinks> heads, int item)
        {
            heads.Remove(item, HashOf(links.Keys[item]));
            Live.Remove(item);
            _byKey[links.Keys[item]].Remove(item);
        }

        // Each key's items, read off its chain, are the model's in insertion order; every item is on one chain.
        public void Check(ChainHeads<ArrayLinks> heads)
        {
            var seen = 0;
            foreach (var (key, items) in _byKey)
            {
                var chained = new List<int>();
                for (var i = heads.First(HashOf(key)); i >= 0; i = links.Next(i))
                {
                    if (links.Keys[i] == key)
                    {
                        chained.Add(i);
                    }
                }

                Assert.True(items.SequenceEqual(chained), $"chain of key {key}");
                seen += chained.Count;
            }

            Assert.Equal(Live.Count, seen);
        }
    }
}
