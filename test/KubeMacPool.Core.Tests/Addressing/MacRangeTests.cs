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
