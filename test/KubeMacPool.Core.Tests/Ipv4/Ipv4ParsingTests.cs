using CsCheck;
using KubeMacPool.Core.Ipv4;

namespace KubeMacPool.Core.Tests.Ipv4;

public class Ipv4ParsingTests
{
    [Theory]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("10.0.0.1", 0x0A000001u)]
    [InlineData("255.255.255.255", uint.MaxValue)]
    public void Parses_dotted_quads(string text, uint expected)
    {
        Assert.True(KubeMacPool.Core.Ipv4.Ipv4.TryParse(text, out var address));
        Assert.Equal(expected, address);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("10.1")]
    [InlineData("10.0.0")]
    [InlineData("10.0.0.1.2")]
    [InlineData("010.0.0.1")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("256.0.0.1")]
    [InlineData("10.0.0.-1")]
    [InlineData("10..0.1")]
    [InlineData(" 10.0.0.1")]
    [InlineData("fe80::1")]
    public void Refuses_shorthand_and_garbage(string? text) =>
        Assert.False(KubeMacPool.Core.Ipv4.Ipv4.TryParse(text, out _));

    [Fact]
    public void Format_and_parse_round_trip() =>
        Gen.UInt.Sample(a =>
            KubeMacPool.Core.Ipv4.Ipv4.TryParse(KubeMacPool.Core.Ipv4.Ipv4.Format(a), out var back) && back == a);

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0", 24)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("192.168.1.7/32", "192.168.1.7", 32)]
    public void Parses_cidrs(string text, string network, int prefix)
    {
        Assert.True(Ipv4Cidr.TryParse(text, out var cidr, out var error), error);
        Assert.Equal(network, KubeMacPool.Core.Ipv4.Ipv4.Format(cidr.Network));
        Assert.Equal(prefix, cidr.PrefixLength);
        Assert.Equal(text, cidr.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0", "not in CIDR form")]
    [InlineData("10.0.0/24", "is not an IPv4 address")]
    [InlineData("10.0.0.0/33", "prefix length must be a number from 0 to 32")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.5/24", "has host bits set; the subnet is 10.0.0.0/24")]
    public void Refuses_bad_cidrs_saying_why(string text, string message)
    {
        Assert.False(Ipv4Cidr.TryParse(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Usable_hosts_exclude_network_and_broadcast_except_on_31()
    {
        Assert.True(Ipv4Cidr.TryParse("10.0.0.0/24", out var c24, out _));
        Assert.False(c24.IsUsableHost(0x0A000000));
        Assert.False(c24.IsUsableHost(0x0A0000FF));
        Assert.True(c24.IsUsableHost(0x0A000001));
        Assert.False(c24.IsUsableHost(0x0A000100));
        Assert.True(Ipv4Cidr.TryParse("10.0.0.0/31", out var c31, out _));
        Assert.True(c31.IsUsableHost(0x0A000000));
        Assert.True(c31.IsUsableHost(0x0A000001));
    }

    [Fact]
    public void Overlap_is_symmetric_and_matches_containment() =>
        Gen.Select(Gen.UInt, Gen.Int[0, 32], Gen.UInt, Gen.Int[0, 32]).Sample((a, pa, b, pb) =>
        {
            var x = new Ipv4Cidr(a & Mask(pa), pa);
            var y = new Ipv4Cidr(b & Mask(pb), pb);
            var shared = x.Contains(y.Network) || y.Contains(x.Network);
            return x.Overlaps(y) == y.Overlaps(x) && x.Overlaps(y) == shared;
        });

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
}
