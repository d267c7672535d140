using KubeMacPool.Core.Pool;
using static KubeMacPool.Core.Tests.Pool.PoolFixtures;

namespace KubeMacPool.Core.Tests.Pool;

public class MacPoolRangeTests
{
    [Fact]
    public void Replacing_the_range_keeps_every_entry_and_allocates_from_the_new_range()
    {
        var pool = NewPool();
        var old = pool.Reserve(Vm1, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;
        pool.Register(Vm2, "x", Mac("0a:00:00:00:00:01"));
        var next = Range("0a:00:00:00:00:00", "0a:00:00:00:00:02");

        pool.ReplaceRange(next);

        Assert.Equal(next, pool.Range);
        Assert.Equal([new MacEntry(old, Vm1, "a", T0)], pool.EntriesOf(Vm1));
        Assert.Equal((3UL, 1UL), (pool.AllocatorFigures().RangeSize, pool.AllocatorFigures().UsedInRange));

        // The held 0a:..:01 is skipped; the range then holds two free addresses and no more.
        var owner = MacOwner.VirtualMachine("n", "v");
        var fresh = pool.Reserve(owner, [MacRequest.Allocate("a"), MacRequest.Allocate("b")], null, false);
        Assert.Equal(["0a:00:00:00:00:00", "0a:00:00:00:00:02"], fresh.Assignments.Select(a => a.Mac.ToString()).Order());
        Assert.Equal("the range is full", pool.Reserve(owner, [MacRequest.Allocate("c")], null, false).Error);

        // An entry outside the current range is released like any other.
        Assert.Equal(1, pool.Release(Vm1));
        Assert.False(pool.IsHeld(old));
    }

    [Fact]
    public void The_new_cursor_is_drawn_again()
    {
        var draws = 0;
        var pool = new MacPool(RangeOf(16), randomOffset: size => (ulong)draws++ * 5 % size);
        pool.ReplaceRange(RangeOf(16, 0x0a_00_00_00_00_00));
        Assert.Equal(2, draws);
        Assert.Equal("0a:00:00:00:00:05", pool.Reserve(Vm1, [MacRequest.Allocate("a")], null, false).Assignments[0].Mac.ToString());
    }

    [Fact]
    public void Owners_lists_each_owner_of_a_kind_once()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        pool.Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Allocate("b")], null, false);
        pool.Reserve(Vm2, [MacRequest.Allocate("a")], null, false);
        pool.Reserve(Pod, [MacRequest.Allocate("net")], null, false);
        Assert.Equal([Vm1, Vm2], pool.Owners(MacOwner.VirtualMachineKind).OrderBy(o => o.Key, StringComparer.Ordinal));
        Assert.Equal([Pod], pool.Owners(MacOwner.PodKind));
    }

    [Fact]
    public void Compacting_keeps_every_entry_in_order()
    {
        var pool = NewPool();
        for (var i = 0; i < 40; i++)
        {
            pool.Reserve(MacOwner.Pod("ns", "p" + i), [MacRequest.Allocate("net")], i % 2 == 0 ? T0 : null, false);
        }

        for (var i = 0; i < 40; i += 3)
        {
            pool.Release(MacOwner.Pod("ns", "p" + i));
        }

        var before = Enumerable.Range(0, 40).SelectMany(i => pool.EntriesOf(MacOwner.Pod("ns", "p" + i))).ToList();
        pool.Compact();
        Assert.Equal(before, Enumerable.Range(0, 40).SelectMany(i => pool.EntriesOf(MacOwner.Pod("ns", "p" + i))));
        Assert.Equal(before.Count, pool.HeldCount);
    }
}
