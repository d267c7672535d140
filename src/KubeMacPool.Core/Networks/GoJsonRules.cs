using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>How Go's encoding/json decides what a key and a value mean for a Go struct (Multus' types).</summary>
internal static class GoJsonRules
{
    /// <summary>
    /// Go matches a JSON key to a struct field case-insensitively (Unicode simple folding, under which the long s
    /// 'ſ' is an 's' and the Kelvin sign a 'k'). <paramref name="field"/> is an ASCII field name.
    /// </summary>
    public static bool KeyMatches(string key, string field)
    {
        if (key.Length != field.Length)
        {
            return false;
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i] switch
            {
                >= 'A' and <= 'Z' => (char)(key[i] + ('a' - 'A')),
                '\u017F' => 's',
                '\u212A' => 'k',
                _ => key[i],
            };
            if (c != char.ToLowerInvariant(field[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static JsonValueKind KindOf(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

    /// <summary>Go's int (64-bit): an integer literal without fraction or exponent, inside the int64 range.</summary>
    public static bool IsInt(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<JsonElement>(out var number) && number.ValueKind == JsonValueKind.Number
        && number.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0 && number.TryGetInt64(out _);

    /// <summary>A number Go decodes into an interface{} (float64) without an overflow error.</summary>
    public static bool IsFiniteNumber(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<JsonElement>(out var number) && number.TryGetDouble(out var d) && double.IsFinite(d);

    /// <summary>What Go's net.ParseIP accepts (dotted IPv4 without leading zeros, or IPv6 without zone); empty is nil.</summary>
    public static bool IsIp(string text)
    {
        if (text.Length == 0)
        {
            return true;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
                && IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p =>
            p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }
}
