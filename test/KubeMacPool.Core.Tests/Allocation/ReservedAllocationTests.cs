using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Tests.Allocation;

public class ReservedAllocationTests
{
    private static MacRange Range(string start, string end) =>
        MacRange.TryParse(start, end, out var range, out var error) ? range : throw new InvalidOperationException(error);

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void A_reserved_address_under_the_cursor_is_skipped_and_never_handed_out(ulong cursor)
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:00:01"), _ => cursor)
        {
            Reserved = ReservedMacs.KubeVirtDefault,
        };
        Assert.True(allocator.TryAllocate(out var mac));
        Assert.Equal("02:00:00:00:00:01", mac.ToString());
        Assert.False(allocator.TryAllocate(out _));
        Assert.False(allocator.IsUsed(MacAddress.Parse("02:00:00:00:00:00")));
    }

    [Fact]
    public void Skips_reserved_blocks_and_wraps_round_them()
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:00:0f"), _ => 3)
        {
            Reserved = ReservedMacs.Parse("02:00:00:00:00:03..02:00:00:00:00:0d, 02:00:00:00:00:0f, 02:00:00:00:00:01"),
        };
        var handed = new List<string>();
        while (allocator.TryAllocate(out var mac))
        {
            handed.Add(mac.ToString());
        }

        Assert.Equal(["02:00:00:00:00:0e", "02:00:00:00:00:00", "02:00:00:00:00:02"], handed);
    }

    [Fact]
    public void A_fully_reserved_range_is_full()
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:ff:ff"), _ => 77)
        {
            Reserved = ReservedMacs.Parse("01:00:00:00:00:00..03:00:00:00:00:00"),
        };
        Assert.False(allocator.TryAllocate(out _));
        Assert.Equal(0, allocator.AllocatedChunks);
    }

    [Fact]
    public void A_new_list_applies_to_the_next_allocation()
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:00:00:03"), _ => 0);
        allocator.Reserved = ReservedMacs.Parse("02:00:00:00:00:00..02:00:00:00:00:02");
        Assert.True(allocator.TryAllocate(out var first));
        Assert.Equal("02:00:00:00:00:03", first.ToString());
        allocator.Reserved = ReservedMacs.Empty;
        Assert.True(allocator.TryAllocate(out var second));
        Assert.Equal("02:00:00:00:00:00", second.ToString());
    }

    [Fact]
    public void Counts_used_addresses_between_two_macs()
    {
        var allocator = new RangeAllocator(Range("02:00:00:00:00:00", "02:00:00:0f:ff:ff"), _ => 0);
        foreach (var offset in new ulong[] { 5, 64, 65, 70_000, 200_000 })
        {
            allocator.MarkUsed(new MacAddress(0x02_00_00_00_00_00 + offset));
        }

        Assert.Equal(3UL, allocator.UsedBetween(MacAddress.Parse("02:00:00:00:00:00"), MacAddress.Parse("02:00:00:00:00:41")));
        Assert.Equal(4UL, allocator.UsedBetween(MacAddress.Parse("01:00:00:00:00:00"), new MacAddress(0x02_00_00_00_00_00 + 70_000)));
        Assert.Equal(5UL, allocator.UsedBetween(MacAddress.Parse("01:00:00:00:00:00"), MacAddress.Parse("03:00:00:00:00:00")));
        Assert.Equal(0UL, allocator.UsedBetween(MacAddress.Parse("02:00:00:00:00:06"), MacAddress.Parse("02:00:00:00:00:3f")));
    }
}
