using CsCheck;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Tests.Addressing;

public class MacRangeTests
{
    [Theory]
    [InlineData("02:00:00:00:00:00", "02:FF:FF:FF:FF:FF", 1UL << 40)]
    [InlineData("02:00:00:00:00:00", "02:00:00:00:00:01", 2UL)]
    [InlineData("02-00-00-00-00-00", "0200.ffff.ffff", (1UL << 32))]
    [InlineData("FE:A8:11:22:33:00", "FE:A8:11:22:33:44", 0x45UL)]
    [InlineData("40:00:00:00:00:00", "50:00:00:00:00:00", (1UL << 44) + 1)]
    [InlineData("02:00:00:00:00:00", "02:01:00:00:00:00", (1UL << 32) + 1)]
    [InlineData("02:00:00:00:00:00", "02:00:00:10:00:00", (1UL << 20) + 1)]
    [InlineData("02:00:00:00:00:00", "02:00:00:00:00:10", 17UL)]
    public void Accepts_valid_ranges_with_their_size(string start, string end, ulong size)
    {
        Assert.True(MacRange.TryParse(start, end, out var range, out var error), error);
        Assert.Equal(size, range!.Size);
    }

    [Theory]
    [InlineData("02:00:00:00:00:05", "02:00:00:00:00:05", "invalid range. rangeStart: 02:00:00:00:00:05 rangeEnd: 02:00:00:00:00:05")]
    [InlineData("0A:00:00:00:00:00", "02:00:00:00:00:00", "invalid range. rangeStart: 0a:00:00:00:00:00 rangeEnd: 02:00:00:00:00:00")]
    [InlineData("02:FF:00:00:00:00", "00:00:00:00:00:00", "invalid range. rangeStart: 02:ff:00:00:00:00 rangeEnd: 00:00:00:00:00:00")]
    [InlineData("FF:FF:FF:FF:FF:FF", "FF:FF:FF:FF:FF:FF", "invalid range. rangeStart: ff:ff:ff:ff:ff:ff rangeEnd: ff:ff:ff:ff:ff:ff")]
    [InlineData("03:00:00:00:00:00", "06:00:00:00:00:00", "invalid range start: invalid mac address. Multicast addressing is not supported. Unicast addressing must be used. The first octet is 0X3")]
    [InlineData("02:00:00:00:00:00", "05:00:00:00:00:00", "invalid range end: invalid mac address. Multicast addressing is not supported. Unicast addressing must be used. The first octet is 0X5")]
    [InlineData("01:FF:00:00:00:00", "02:00:00:00:00:00", "invalid range start: invalid mac address. Multicast addressing is not supported. Unicast addressing must be used. The first octet is 0X1")]
    [InlineData("02:05:00:00:00:00", "02:04:00:00:00:01", "failed to generate new current MAC: invalid MAC pool size: -4294967294")]
    [InlineData("invalid-mac", "02:00:00:00:00:01", "invalid RANGE_START \"invalid-mac\": address invalid-mac: invalid MAC address")]
    [InlineData("02:00:00:00:00:00", "x", "invalid RANGE_END \"x\": address x: invalid MAC address")]
    public void Refuses_invalid_ranges_with_upstream_messages(string start, string end, string expected)
    {
        Assert.False(MacRange.TryParse(start, end, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("40:00:00:00:00:00", "50:00:00:00:00:00", (1L << 44) + 1)]
    [InlineData("02:00:00:00:00:00", "03:00:00:00:00:00", (1L << 40) + 1)]
    [InlineData("02:00:00:00:00:00", "02:01:00:00:00:00", (1L << 32) + 1)]
    [InlineData("02:00:00:00:00:00", "02:00:00:10:00:00", (1L << 20) + 1)]
    [InlineData("02:00:00:00:00:00", "02:00:00:00:00:10", 17L)]
    [InlineData("00:00:00:00:00:01", "00:00:00:00:00:00", 0L)]
    [InlineData("80:00:00:00:00:00", "00:00:00:00:00:00", -(1L << 47) + 1)]
    [InlineData("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", 1L << 48)]
    public void Pool_size_is_end_minus_start_plus_one(string start, string end, long size) =>
        Assert.Equal(size, MacRange.PoolSize(MacAddress.Parse(start), MacAddress.Parse(end)));

    [Theory]
    [InlineData("00:00:00:00:00:01", "00:00:00:00:00:00")]
    [InlineData("80:00:00:00:00:00", "00:00:00:00:00:00")]
    [InlineData("FF:FF:FF:FF:FF:FF", "FF:FF:FF:FF:FF:FF")]
    [InlineData("00:00:00:00:00:00", "00:00:00:00:00:00")]
    public void Upstream_invalid_pool_sizes_are_refused(string start, string end) =>
        Assert.False(MacRange.TryParse(start, end, out _, out _));

    [Theory]
    [InlineData("01:FF:FF:FF:FF:FF", "02:00:00:00:00:00", "0X1")]
    [InlineData("FF:00:00:00:00:00", "FF:FF:FF:FF:FF:FE", "0XFF")]
    [InlineData("0B:00:00:00:00:00", "0C:00:00:00:00:00", "0XB")]
    public void A_multicast_start_names_its_first_octet_as_go_does(string start, string end, string octet)
    {
        Assert.False(MacRange.TryParse(start, end, out _, out var error));
        Assert.Equal("invalid range start: invalid mac address. Multicast addressing is not supported. Unicast addressing must be used. The first octet is " + octet, error);
    }

    [Fact]
    public void The_ordering_check_passes_at_the_first_smaller_octet_and_the_size_check_catches_the_rest()
    {
        // 02:05 > 02:04 yet octet 5 (00 < 01) passes the ordering check; the size is negative.
        Assert.False(MacRange.TryCreate(MacAddress.Parse("02:05:00:00:00:00"), MacAddress.Parse("02:04:00:00:00:01"), out _, out var error));
        Assert.StartsWith("failed to generate new current MAC", error, StringComparison.Ordinal);

        // Equal bounds have no smaller octet.
        Assert.False(MacRange.TryCreate(MacAddress.Parse("02:00:00:00:00:05"), MacAddress.Parse("02:00:00:00:00:05"), out _, out error));
        Assert.StartsWith("invalid range. ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_range_is_kubemacpools()
    {
        Assert.Equal("02:00:00:00:00:00 - 02:ff:ff:ff:ff:ff", MacRange.Default.ToString());
        Assert.Equal(1UL << 40, MacRange.Default.Size);
        Assert.True(MacRange.TryParse("02:00:00:00:00:00", "02:FF:FF:FF:FF:FF", out var parsed, out _));
        Assert.Equal(MacRange.Default, parsed);
    }

    [Fact]
    public void Ranges_of_any_valid_bounds_contain_exactly_their_addresses()
    {
        Gen.Select(Gen.ULong[0, MacAddress.MaxValue], Gen.ULong[0, MacAddress.MaxValue], Gen.ULong[0, MacAddress.MaxValue]).Sample((a, b, probe) =>
        {
            if (!MacRange.TryCreate(new MacAddress(a), new MacAddress(b), out var range, out _))
            {
                // Numerically ordered bounds always pass the octet check, so only these explain a refusal.
                return a >= b || ((a >> 40) & 1) == 1 || ((b >> 40) & 1) == 1;
            }

            var mac = new MacAddress(probe);
            return a < b
                && range.Size == b - a + 1
                && range.Contains(mac) == (probe >= a && probe <= b)
                && (!range.Contains(mac) || range.At(range.OffsetOf(mac)) == mac);
        });
    }

    [Theory]
    [InlineData("02")]
    [InlineData("06")]
    [InlineData("0A")]
    [InlineData("0E")]
    public void Unicast_first_octets_are_valid(string octet) =>
        Assert.True(MacRange.TryParse($"{octet}:00:00:00:00:00", $"{octet}:00:00:00:00:ff", out _, out _));

    [Fact]
    public void Offsets_map_addresses_into_the_range()
    {
        MacRange.TryParse("02:00:00:00:01:00", "02:00:00:00:01:ff", out var range, out _);
        Assert.Equal(0x10UL, range!.OffsetOf(MacAddress.Parse("02:00:00:00:01:10")));
        Assert.Equal("02:00:00:00:01:ff", range.At(255).ToString());
        Assert.False(range.Contains(MacAddress.Parse("02:00:00:00:02:00")));
    }
}
