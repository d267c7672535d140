using CsCheck;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Tests.Addressing;

public class MacAddressTests
{
    [Theory]
    [InlineData("00:00:5e:00:53:01", "00:00:5e:00:53:01")]
    [InlineData("00-00-5E-00-53-01", "00:00:5e:00:53:01")]
    [InlineData("0000.5e00.5301", "00:00:5e:00:53:01")]
    [InlineData("02-00-00-00-00-AA", "02:00:00:00:00:aa")]
    [InlineData("0200.ffff.ffff", "02:00:ff:ff:ff:ff")]
    [InlineData("FF:FF:FF:FF:FF:FF", "ff:ff:ff:ff:ff:ff")]
    public void Parses_the_three_syntaxes_in_any_case_to_the_canonical_form(string input, string canonical)
    {
        Assert.True(MacAddress.TryParse(input, out var mac, out var error), error);
        Assert.Equal(canonical, mac.ToString());
    }

    [Theory]
    [InlineData("02:00:5e:10:00:00:00:01", 8)]
    [InlineData("0200.5e10.0000.0001", 8)]
    [InlineData("00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", 20)]
    public void Recognises_eui64_and_ipoib_forms_but_refuses_them(string input, int bytes)
    {
        Assert.False(MacAddress.TryParse(input, out _, out var error));
        Assert.Equal($"address {input}: only 6-byte (EUI-48) MAC addresses are supported, got {bytes} bytes", error);
    }

    [Theory]
    [InlineData("invalid-mac")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("02:00:00:00:00")]
    [InlineData("02:00:00:00:00:0g")]
    [InlineData("02:00-00:00:00:00")]
    [InlineData("02:00:00:00:00:000")]
    [InlineData("0200.0000.000")]
    [InlineData(" 02:00:00:00:00:00")]
    [InlineData("02::00:00:00:00:0")]
    public void Refuses_garbage_with_upstream_wording(string? input)
    {
        Assert.False(MacAddress.TryParse(input, out _, out var error));
        Assert.Equal($"address {input}: invalid MAC address", error);
    }

    [Fact]
    public void Parse_throws_with_the_reason_for_configuration_use()
    {
        var e = Assert.Throws<FormatException>(() => MacAddress.Parse("nope"));
        Assert.Contains("invalid MAC address", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("02:00:00:00:00:00", "02:00:00:00:00:01")]
    [InlineData("02:00:00:00:00:FF", "02:00:00:00:01:00")]
    [InlineData("FF:FF:FF:FF:FF:FF", "00:00:00:00:00:00")]
    public void Next_adds_one_with_carry_and_wraps(string mac, string next) =>
        Assert.Equal(MacAddress.Parse(next), MacAddress.Parse(mac).Next());

    [Theory]
    [InlineData("01:00:00:00:00:00", true)]
    [InlineData("03:00:00:00:00:00", true)]
    [InlineData("ff:00:00:00:00:00", true)]
    [InlineData("02:00:00:00:00:00", false)]
    [InlineData("0e:00:00:00:00:00", false)]
    public void Multicast_is_the_low_bit_of_the_first_octet(string mac, bool multicast) =>
        Assert.Equal(multicast, MacAddress.Parse(mac).IsMulticast);

    [Fact]
    public void Max_value_is_two_to_the_48_minus_one() =>
        Assert.Equal((1UL << 48) - 1, MacAddress.Parse("FF:FF:FF:FF:FF:FF").Value);

    [Fact]
    public void Parsing_random_strings_never_throws()
    {
        Gen.String.Sample(s => MacAddress.TryParse(s, out _, out var error) || error is not null, iter: 20_000);
    }

    [Fact]
    public void Formatting_then_parsing_round_trips()
    {
        Gen.ULong[0, MacAddress.MaxValue].Sample(v =>
            MacAddress.TryParse(new MacAddress(v).ToString(), out var back) && back.Value == v);
    }
}
