using CsCheck;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Tests.Allocation;

public class RangeAllocatorTests
{
    private static MacRange Range(string start, string end) =>
        MacRange.TryParse(start, end, out var range, out var error) ? range : throw new InvalidOperationException(error);

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void A_two_address_range_hands_out_both_then_is_full(ulong start)
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:00:01"), _ => start);
        Assert.True(allocator.TryAllocate(out var first));
        Assert.True(allocator.TryAllocate(out var second));
        Assert.Equal(
            new[] { "02:00:00:00:00:00", "02:00:00:00:00:01" },
            new[] { first.ToString(), second.ToString() }.Order());
        Assert.False(allocator.TryAllocate(out _));

        allocator.MarkFree(first);
        Assert.True(allocator.TryAllocate(out var again));
        Assert.Equal(first, again);
    }

    [Fact]
    public void Starts_at_the_random_offset_and_does_not_reuse_a_freed_address_until_it_comes_round()
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:00:09"), _ => 7);
        Assert.True(allocator.TryAllocate(out var a));
        Assert.Equal("02:00:00:00:00:07", a.ToString());
        allocator.MarkFree(a);
        Assert.True(allocator.TryAllocate(out var b));
        Assert.Equal("02:00:00:00:00:08", b.ToString());
    }

    [Fact]
    public void Dry_runs_advance_the_cursor_but_mark_nothing()
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:00:09"), _ => 0);
        Assert.True(allocator.TryAllocate(out var a, dryRun: true));
        Assert.True(allocator.TryAllocate(out var b, dryRun: true));
        Assert.NotEqual(a, b);
        Assert.Equal(0UL, allocator.UsedCount);
    }

    [Fact]
    public void Skips_addresses_marked_used_and_ignores_out_of_range_marks()
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:00:02"), _ => 0);
        Assert.True(allocator.MarkUsed(MacAddress.Parse("02:00:00:00:00:00")));
        Assert.False(allocator.MarkUsed(MacAddress.Parse("06:00:00:00:00:00")));
        Assert.True(allocator.TryAllocate(out var mac));
        Assert.Equal("02:00:00:00:00:01", mac.ToString());
    }

    [Fact]
    public void The_default_range_costs_no_chunk_until_used()
    {
        var allocator = new RangeAllocator(MacRange.Default);
        Assert.Equal(0, allocator.AllocatedChunks);
        Assert.True(allocator.TryAllocate(out var mac));
        Assert.True(MacRange.Default.Contains(mac));
        Assert.Equal(1, allocator.AllocatedChunks);
    }

    [Fact]
    public void Never_hands_out_an_address_outside_the_range_or_one_taken()
    {
        // Size 2 upward: a range of one address is refused (start == end), as upstream does.
        Gen.Select(Gen.ULong[2, 5000], Gen.ULong, Gen.Int[1, 400]).Sample((size, seed, count) =>
        {
            var range = Range("0a:00:00:00:00:00", new MacAddress(0x0a_00_00_00_00_00 + size - 1).ToString());
            var allocator = new RangeAllocator(range, n => seed % n);
            var handed = new HashSet<MacAddress>();
            for (var i = 0; i < count; i++)
            {
                if (!allocator.TryAllocate(out var mac))
                {
                    return handed.Count == (int)size;
                }

                if (!range.Contains(mac) || !handed.Add(mac))
                {
                    return false;
                }
            }

            return true;
        }, iter: 200);
    }
}
