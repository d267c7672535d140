using System.Globalization;

namespace KubeMacPool.Core.Ipv4;

/// <summary>
/// Strict dotted-quad IPv4 text (four decimal octets, no leading zeros, no shorthand such as "10.1" or "0x0a.0.0.1"
/// that <c>IPAddress.Parse</c> accepts), held as a big-endian <see cref="uint"/> so ranges are plain integer ranges.
/// </summary>
public static class Ipv4
{
    public static bool TryParse(string? text, out uint address)
    {
        address = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 15)
        {
            return false;
        }

        var octets = 0;
        var span = text.AsSpan();
        while (true)
        {
            var dot = span.IndexOf('.');
            var part = dot < 0 ? span : span[..dot];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var value = 0;
            foreach (var c in part)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }

                value = value * 10 + (c - '0');
            }

            if (value > 255)
            {
                return false;
            }

            address = (address << 8) | (uint)value;
            octets++;
            if (dot < 0)
            {
                break;
            }

            span = span[(dot + 1)..];
        }

        return octets == 4;
    }

    public static string Format(uint address) => string.Create(CultureInfo.InvariantCulture,
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");
}
