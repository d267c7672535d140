using System.Net;
using CsCheck;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Dhcp.Tests.Protocol;

public sealed class OptionEncodingTests
{
    /// <summary>The worked example of RFC 3397 §2: the second name points back at "apple.com".</summary>
    [Fact]
    public void Domain_search_compresses_shared_suffixes_as_in_rfc_3397()
    {
        var encoded = DomainSearchEncoding.Encode(["eng.apple.com", "marketing.apple.com"]);
        byte[] expected = [3, .. "eng"u8, 5, .. "apple"u8, 3, .. "com"u8, 0, 9, .. "marketing"u8, 0xC0, 4];
        Assert.Equal(expected, encoded);
        Assert.Equal(["eng.apple.com", "marketing.apple.com"], DomainSearchEncoding.Decode(encoded));
    }

    [Fact]
    public void Domain_search_lists_round_trip()
    {
        var label = Gen.String["abcdefghijklmnopqrstuvwxyz0123456789-"].Where(text => text.Length is > 0 and <= 20);
        var name = label.Array[1, 4].Select(labels => string.Join('.', labels));
        name.Array[1, 6].Sample(names =>
            Assert.Equal(names.Select(n => n.ToUpperInvariant()), DomainSearchEncoding.Decode(DomainSearchEncoding.Encode(names))!.Select(n => n.ToUpperInvariant())));
    }

    [Theory]
    [InlineData(new byte[] { 3, 97, 98 })]
    [InlineData(new byte[] { 0xC0, 0 })]
    [InlineData(new byte[] { 1, 97, 0xC0, 5 })]
    [InlineData(new byte[] { 64 })]
    public void Malformed_domain_search_values_decode_to_null(byte[] value) => Assert.Null(DomainSearchEncoding.Decode(value));

    /// <summary>Examples from RFC 3442 §1 (destination encoding by prefix length).</summary>
    [Fact]
    public void Classless_routes_use_only_the_significant_destination_octets()
    {
        var encoded = ClasslessRouteEncoding.Encode(
        [
            new ClasslessRoute(IPAddress.Parse("0.0.0.0"), 0, IPAddress.Parse("10.0.0.1")),
            new ClasslessRoute(IPAddress.Parse("10.17.0.0"), 16, IPAddress.Parse("10.0.0.2")),
            new ClasslessRoute(IPAddress.Parse("10.27.129.0"), 24, IPAddress.Parse("10.0.0.3")),
            new ClasslessRoute(IPAddress.Parse("10.229.0.128"), 25, IPAddress.Parse("10.0.0.4")),
        ]);
        byte[] expected = [0, 10, 0, 0, 1, 16, 10, 17, 10, 0, 0, 2, 24, 10, 27, 129, 10, 0, 0, 3, 25, 10, 229, 0, 128, 10, 0, 0, 4];
        Assert.Equal(expected, encoded);
        var decoded = ClasslessRouteEncoding.Decode(encoded)!;
        Assert.Equal(4, decoded.Count);
        Assert.Equal(new ClasslessRoute(IPAddress.Parse("10.229.0.128"), 25, IPAddress.Parse("10.0.0.4")), decoded[3]);
        Assert.Null(ClasslessRouteEncoding.Decode([33, 1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.Null(ClasslessRouteEncoding.Decode([24, 10, 0]));
    }
}
