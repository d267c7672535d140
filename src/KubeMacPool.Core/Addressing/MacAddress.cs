using System.Diagnostics.CodeAnalysis;

namespace KubeMacPool.Core.Addressing;

/// <summary>
/// An EUI-48 MAC address as a 48-bit number. Parses the colon, hyphen and dotted forms in any case (as Go's
/// net.ParseMAC); prints the canonical lower-case colon form, which is also the pool's key.
/// </summary>
public readonly struct MacAddress : IEquatable<MacAddress>, IComparable<MacAddress>, ISpanFormattable, ISpanParsable<MacAddress>
{
    public const ulong MaxValue = (1UL << 48) - 1;

    private readonly ulong _value;

    public MacAddress(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        _value = value;
    }

    public ulong Value => _value;

    public static explicit operator ulong(MacAddress mac) => mac._value;

    /// <exception cref="ArgumentOutOfRangeException">The value needs more than 48 bits.</exception>
    public static explicit operator MacAddress(ulong value) => new(value);

    /// <summary>The I/G bit of the first octet: set means a group (multicast) address.</summary>
    public bool IsMulticast => (FirstOctet & 1) == 1;

    public byte FirstOctet => (byte)(_value >> 40);

    /// <summary>The next address, wrapping from FF:FF:FF:FF:FF:FF to 00:00:00:00:00:00.</summary>
    public MacAddress Next() => new((_value + 1) & MaxValue);

    /// <summary>Parses user input without throwing; <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? text, out MacAddress mac, [NotNullWhen(false)] out string? error)
    {
        if (TryParse(text.AsSpan(), out mac, out var octets))
        {
            error = null;
            return true;
        }

        error = Error(text, octets);
        return false;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac) => TryParse(text.AsSpan(), out mac, out _);

    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac) => TryParse(text, out mac, out _);

    /// <summary>Parses trusted configuration; throws <see cref="FormatException"/> with the reason.</summary>
    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac, out var error) ? mac : throw new FormatException(error);

    public static MacAddress Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var mac, out var octets) ? mac : throw new FormatException(Error(text.ToString(), octets));

    static MacAddress IParsable<MacAddress>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<MacAddress>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out MacAddress result) =>
        TryParse(s, out result);

    static MacAddress ISpanParsable<MacAddress>.Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    static bool ISpanParsable<MacAddress>.TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out MacAddress result) =>
        TryParse(s, out result);

    public override string ToString() => ToString(null, null);

    public string ToString(string? format, IFormatProvider? formatProvider) =>
        string.Create(17, _value, static (span, value) => Format(value, span));

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < 17)
        {
            charsWritten = 0;
            return false;
        }

        Format(_value, destination);
        charsWritten = 17;
        return true;
    }

    public bool Equals(MacAddress other) => _value == other._value;

    public override bool Equals(object? obj) => obj is MacAddress other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public int CompareTo(MacAddress other) => _value.CompareTo(other._value);

    public static bool operator ==(MacAddress left, MacAddress right) => left.Equals(right);

    public static bool operator !=(MacAddress left, MacAddress right) => !left.Equals(right);

    public static bool operator <(MacAddress left, MacAddress right) => left._value < right._value;

    public static bool operator >(MacAddress left, MacAddress right) => left._value > right._value;

    public static bool operator <=(MacAddress left, MacAddress right) => left._value <= right._value;

    public static bool operator >=(MacAddress left, MacAddress right) => left._value >= right._value;

    private static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac, out int octets)
    {
        octets = Decode(text, out var value);
        mac = octets == 6 ? new MacAddress(value) : default;
        return octets == 6;
    }

    // Go's net.AddrError wording for garbage; our own for the longer hardware addresses Go would accept.
    private static string Error(string? text, int octets) => octets is 8 or 20
        ? $"address {text}: only 6-byte (EUI-48) MAC addresses are supported, got {octets} bytes"
        : $"address {text}: invalid MAC address";

    private static void Format(ulong value, Span<char> span)
    {
        const string hex = "0123456789abcdef";
        for (var i = 0; i < 6; i++)
        {
            var octet = (int)(value >> (40 - (8 * i))) & 0xFF;
            span[i * 3] = hex[octet >> 4];
            span[(i * 3) + 1] = hex[octet & 0xF];
            if (i < 5)
            {
                span[(i * 3) + 2] = ':';
            }
        }
    }

    /// <summary>
    /// Reads the colon ("00:00:5e:00:53:01"), hyphen ("00-00-5e-00-53-01") or dotted ("0000.5e00.5301") syntax of
    /// 6, 8 or 20 octets (as Go's net.ParseMAC). Returns the octet count, or 0 when the text is none of these;
    /// <paramref name="value"/> holds the address only for 6 octets.
    /// </summary>
    private static int Decode(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.Length < 14)
        {
            return 0;
        }

        char separator;
        int groupLength;
        if (text[2] is ':' or '-')
        {
            (separator, groupLength) = (text[2], 2);
        }
        else if (text[4] == '.')
        {
            (separator, groupLength) = ('.', 4);
        }
        else
        {
            return 0;
        }

        if ((text.Length + 1) % (groupLength + 1) != 0)
        {
            return 0;
        }

        var groups = (text.Length + 1) / (groupLength + 1);
        var octets = groups * groupLength / 2;
        if (octets is not (6 or 8 or 20))
        {
            return 0;
        }

        for (var g = 0; g < groups; g++)
        {
            var start = g * (groupLength + 1);
            if (g < groups - 1 && text[start + groupLength] != separator)
            {
                return 0;
            }

            for (var i = start; i < start + groupLength; i++)
            {
                if (!IsHex(text[i]))
                {
                    return 0;
                }

                if (octets == 6)
                {
                    value = (value << 4) | (uint)HexValue(text[i]);
                }
            }
        }

        return octets;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
