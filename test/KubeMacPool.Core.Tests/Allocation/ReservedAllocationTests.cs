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

    [Fact]
    public void Random_lists_cursors_and_frees_never_hand_out_a_reserved_address_and_miss_no_free_one()
    {
        var range = Range("02:00:00:00:00:00", "02:00:00:00:01:ff");
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var entries = Enumerable.Range(0, random.Next(0, 12)).Select(_ =>
            {
                var start = 0x02_00_00_00_00_00UL + (ulong)random.Next(-8, 520);
                var mac = new MacAddress(start);
                return random.Next(2) == 0 ? mac.ToString() : $"{mac}..{new MacAddress(start + (ulong)random.Next(0, 40))}";
            });
            var reserved = ReservedMacs.Parse(string.Join(",", entries));
            var allocator = new RangeAllocator(range, size => (ulong)random.NextInt64((long)size)) { Reserved = reserved };
            var expected = Enumerable.Range(0, (int)range.Size).Select(o => range.At((ulong)o)).Where(m => !reserved.Contains(m)).ToHashSet();

            var handed = new HashSet<MacAddress>();
            while (allocator.TryAllocate(out var mac))
            {
                Assert.False(reserved.Contains(mac), $"seed {seed}: handed out reserved {mac}");
                Assert.True(handed.Add(mac), $"seed {seed}: {mac} twice");
                if (random.Next(8) == 0)
                {
                    // Free one and go on: the cursor comes round to it after wrapping.
                    allocator.MarkFree(mac);
                    handed.Remove(mac);
                }
            }

            Assert.Equal(expected.Count, handed.Count);
            Assert.Subset(expected, handed);
        }
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(12_345UL)]
    [InlineData(65_535UL)]
    public void A_range_with_a_thousand_entries_fills_exactly_its_unreserved_addresses(ulong cursor)
    {
        var range = Range("02:00:00:00:00:00", "02:00:00:00:ff:ff");
        var entries = Enumerable.Range(0, 1000).Select(i =>
        {
            var start = range.At(((ulong)i * 65) + 32);
            return i % 2 == 0 ? start.ToString() : $"{start}..{new MacAddress(start.Value + 15)}";
        });
        var reserved = ReservedMacs.Parse(string.Join("\n", entries));
        var allocator = new RangeAllocator(range, _ => cursor) { Reserved = reserved };
        var count = 0UL;
        while (allocator.TryAllocate(out var mac))
        {
            Assert.False(reserved.Contains(mac));
            count++;
        }

        Assert.Equal(range.Size - reserved.CountIn(range), count);
    }
}
