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
    [InlineData("02-00-5E-10-00-00-00-01", 8)]
    [InlineData("00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", 20)]
    [InlineData("00-00-00-00-FE-80-00-00-00-00-00-00-02-00-5E-10-00-00-00-01", 20)]
    [InlineData("0000.0000.fe80.0000.0000.0000.0200.5e10.0000.0001", 20)]
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
    [InlineData("02:00:00:00:00:00 ")]
    [InlineData("02:00:00:00:00:00:00")]
    [InlineData("0200.0000.0000.")]
    [InlineData("0200.0000:0000")]
    [InlineData("0200-0000-0000")]
    [InlineData("02.00.00.00.00.00")]
    [InlineData("+2:00:00:00:00:00")]
    [InlineData("02:00:00:00:00:0\u0660")]
    [InlineData("02:00:00:00:00:00:00:00:00:00")]
    public void Refuses_garbage_with_upstream_wording(string? input)
    {
        Assert.False(MacAddress.TryParse(input, out _, out var error));
        Assert.Equal($"address {input}: invalid MAC address", error);
    }

    [Fact]
    public void Parse_throws_with_the_reason_for_configuration_use()
    {
        Assert.Equal("address nope: invalid MAC address", Assert.Throws<FormatException>(() => MacAddress.Parse("nope")).Message);
        Assert.EndsWith("got 8 bytes", Assert.Throws<FormatException>(() => MacAddress.Parse("02:00:5e:10:00:00:00:01".AsSpan())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spans_and_the_generic_parsing_interfaces_agree_with_strings()
    {
        Assert.True(MacAddress.TryParse("xx02-00-00-00-00-AAxx".AsSpan(2, 17), out var fromSpan));
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:aa"), fromSpan);
        Assert.Equal(fromSpan, ParseGeneric<MacAddress>("0200.0000.00aa"));
        Assert.False(MacAddress.TryParse("02:00:00:00:00".AsSpan(), out _));
    }

    [Fact]
    public void Converts_to_and_from_its_48_bit_number()
    {
        var mac = (MacAddress)0x02_00_5e_00_53_01UL;
        Assert.Equal("02:00:5e:00:53:01", mac.ToString());
        Assert.Equal(0x02_00_5e_00_53_01UL, (ulong)mac);
        Assert.Throws<ArgumentOutOfRangeException>(() => (MacAddress)(1UL << 48));
    }

    [Fact]
    public void Orders_by_its_number_and_formats_into_spans()
    {
        var low = MacAddress.Parse("02:00:00:00:00:ff");
        var high = MacAddress.Parse("02:00:00:00:01:00");
        Assert.True(low < high && high > low && low <= high && low != high && low.CompareTo(high) < 0);
        Span<char> small = stackalloc char[16];
        Assert.False(high.TryFormat(small, out _, default, null));
        Span<char> exact = stackalloc char[17];
        Assert.True(high.TryFormat(exact, out var written, default, null));
        Assert.Equal("02:00:00:00:01:00", exact[..written].ToString());
        Assert.Equal("mac 02:00:00:00:01:00", $"mac {high}");
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
    public void Every_syntax_and_case_of_an_address_parses_to_it()
    {
        Gen.Select(Gen.ULong[0, MacAddress.MaxValue], Gen.Int[0, 2], Gen.Bool).Sample((v, syntax, upper) =>
        {
            var hex = v.ToString("x12", System.Globalization.CultureInfo.InvariantCulture);
            var text = syntax switch
            {
                0 => string.Join(':', hex.Chunk(2).Select(c => new string(c))),
                1 => string.Join('-', hex.Chunk(2).Select(c => new string(c))),
                _ => string.Join('.', hex.Chunk(4).Select(c => new string(c))),
            };
            text = upper ? text.ToUpperInvariant() : text;
            return MacAddress.TryParse(text, out var mac, out _) && mac.Value == v && mac.ToString() == string.Join(':', hex.Chunk(2).Select(c => new string(c)));
        });
    }

    [Fact]
    public void Formatting_then_parsing_round_trips()
    {
        Gen.ULong[0, MacAddress.MaxValue].Sample(v =>
            MacAddress.TryParse(new MacAddress(v).ToString(), out var back) && back.Value == v);
    }

    private static T ParseGeneric<T>(string text)
        where T : ISpanParsable<T> => T.Parse(text.AsSpan(), null);
}
