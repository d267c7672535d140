using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

public class SegmentedPoolTests
{
    [Fact]
    public void Freed_items_are_handed_out_again_before_any_new_one()
    {
        var pool = new SegmentedPool<Item>();
        for (var i = 0; i < 5_000; i++)
        {
            Assert.Equal(i, pool.Allocate());
            pool[i].Value = i + 1;
        }

        var capacity = pool.Capacity;
        Assert.InRange(capacity, 5_000, 8_192);
        pool.Free(10);
        pool.Free(4_321);
        Assert.Equal(0, pool[10].Value);
        Assert.Equal(4_998, pool.Count);

        Assert.Equal(4_321, pool.Allocate());
        Assert.Equal(10, pool.Allocate());
        Assert.Equal(0, pool[10].NextFree);
        Assert.Equal((5_000, 5_000, capacity), (pool.Count, pool.End, pool.Capacity));
        Assert.Equal(5_000, pool[4_999].Value);
    }

    [Fact]
    public void Trimming_gives_back_free_items_at_the_end_and_keeps_the_others_for_reuse()
    {
        var pool = new SegmentedPool<Item>();
        for (var i = 0; i < 3_000; i++)
        {
            pool[pool.Allocate()].Value = i + 1;
        }

        pool.Free(2_999);
        pool.Free(2_998);
        pool.Free(7);
        pool.TrimExcess();
        Assert.Equal((2_997, 2_998, 2_998), (pool.Count, pool.End, pool.Capacity));
        Assert.Equal(2_998, pool[2_997].Value);

        Assert.Equal(7, pool.Allocate());
        Assert.Equal(2_998, pool.Allocate());
        Assert.True(pool.Capacity > 2_998);
        Assert.Equal(2_998, pool[2_997].Value);
        Assert.Equal(1, pool[0].Value);
    }

    [Fact]
    public void An_emptied_pool_trims_to_nothing_and_grows_again()
    {
        var pool = new SegmentedPool<Item>();
        pool.Allocate();
        pool.Free(0);
        pool.TrimExcess();
        Assert.Equal((0, 0, 0), (pool.Count, pool.End, pool.Capacity));
        Assert.Equal(0, pool.Allocate());
        pool[0].Value = 5;
        Assert.Equal(5, pool[0].Value);
    }

    private struct Item : IPoolItem
    {
        public int Value;
        public int Link;

        public readonly bool IsFree => Value == 0;

        public int NextFree
        {
            readonly get => Link;
            set => Link = value;
        }
    }
}
