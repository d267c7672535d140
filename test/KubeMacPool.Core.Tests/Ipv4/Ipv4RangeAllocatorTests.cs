using CsCheck;
using KubeMacPool.Core.Ipv4;

namespace KubeMacPool.Core.Tests.Ipv4;

public class Ipv4RangeAllocatorTests
{
    private static uint Ip(string text) => KubeMacPool.Core.Ipv4.Ipv4.TryParse(text, out var a) ? a : throw new ArgumentException(text);

    [Fact]
    public void Hands_out_in_order_skipping_excluded_then_reports_full()
    {
        var allocator = new Ipv4RangeAllocator(Ip("10.0.0.1"), Ip("10.0.0.4"), [Ip("10.0.0.2")]);
        Assert.Equal(3UL, allocator.Capacity);
        var got = new List<string>();
        while (allocator.TryAllocate(out var a))
        {
            got.Add(KubeMacPool.Core.Ipv4.Ipv4.Format(a));
        }

        Assert.Equal(["10.0.0.1", "10.0.0.3", "10.0.0.4"], got);
        Assert.Equal(0UL, allocator.AvailableCount);
        Assert.Equal(3UL, allocator.AllocatedCount);
    }

    [Fact]
    public void A_freed_address_is_not_reused_at_once()
    {
        var allocator = new Ipv4RangeAllocator(Ip("10.0.0.1"), Ip("10.0.0.9"), []);
        allocator.TryAllocate(out var first);
        Assert.True(allocator.Release(first));
        allocator.TryAllocate(out var second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Claims_say_why_they_fail()
    {
        var allocator = new Ipv4RangeAllocator(Ip("10.0.0.10"), Ip("10.0.0.20"), [Ip("10.0.0.15")]);
        Assert.Equal(Ipv4ClaimResult.Claimed, allocator.TryClaim(Ip("10.0.0.12")));
        Assert.Equal(Ipv4ClaimResult.AlreadyAllocated, allocator.TryClaim(Ip("10.0.0.12")));
        Assert.Equal(Ipv4ClaimResult.Excluded, allocator.TryClaim(Ip("10.0.0.15")));
        Assert.Equal(Ipv4ClaimResult.OutsideRange, allocator.TryClaim(Ip("10.0.0.21")));
        Assert.False(allocator.Release(Ip("10.0.0.15")));
        Assert.True(allocator.IsExcluded(Ip("10.0.0.15")));
    }

    [Fact]
    public void A_slash_8_range_costs_nothing_until_used()
    {
        var allocator = new Ipv4RangeAllocator(Ip("10.0.0.1"), Ip("10.255.255.254"), []);
        Assert.Equal(16_777_214UL, allocator.Capacity);
        Assert.True(allocator.TryAllocate(out var a));
        Assert.Equal("10.0.0.1", KubeMacPool.Core.Ipv4.Ipv4.Format(a));
    }

    [Fact]
    public void Model_never_hands_out_an_address_twice_or_outside_the_range_or_excluded()
    {
        var gen = Gen.Select(Gen.Int[1, 40], Gen.Int[0, 5].Array, Gen.Int[0, 2].Array[1, 120]);
        gen.Sample((size, excludeOffsets, ops) =>
        {
            const uint start = 0x0A000000;
            var end = start + (uint)size - 1;
            var excluded = excludeOffsets.Select(o => start + (uint)o).Where(a => a <= end).ToHashSet();
            var allocator = new Ipv4RangeAllocator(start, end, excluded);
            var held = new HashSet<uint>();
            foreach (var op in ops)
            {
                if (op < 2)
                {
                    if (allocator.TryAllocate(out var a))
                    {
                        if (a < start || a > end || excluded.Contains(a) || !held.Add(a))
                        {
                            return false;
                        }
                    }
                    else if (held.Count + excluded.Count != size)
                    {
                        return false;
                    }
                }
                else if (held.Count > 0)
                {
                    var victim = held.First();
                    held.Remove(victim);
                    if (!allocator.Release(victim))
                    {
                        return false;
                    }
                }
            }

            return allocator.AllocatedCount == (ulong)held.Count
                && allocator.AvailableCount == (ulong)(size - excluded.Count - held.Count);
        });
    }
}
