using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// Reads JSON text into a <see cref="JsonNode"/> tree, accepting what Go's encoding/json accepts (Multus and
/// upstream parse with it): duplicate keys (the last one wins) and unpaired surrogate escapes (read as U+FFFD),
/// both of which make System.Text.Json's own tree throw. Never throws.
/// </summary>
internal static class GoJsonReader
{
    /// <summary>Go allows 10,000 levels; nothing sane nests that deep, and this bound keeps recursion small.</summary>
    public const int MaxDepth = 256;

    public static bool TryParse(string text, out JsonNode? root, out string? error)
    {
        // Encoding.UTF8 replaces unpaired surrogates of the C# string with U+FFFD instead of throwing. The bytes are a
        // pooled buffer: the tree holds strings of its own, and every pod admission parses its networks annotation.
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        var reader = new Utf8JsonReader(utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, utf8)), new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read())
            {
                root = null;
                error = "the value is empty";
                return false;
            }

            root = ReadValue(ref reader);
            if (reader.Read())
            {
                // Unreachable with a final block (the reader throws on trailing data), kept as a guard.
                root = null;
                error = "there is more data after the JSON value";
                return false;
            }

            error = null;
            return true;
        }
        catch (JsonException e)
        {
            root = null;
            error = Describe(e);
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private static JsonNode? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = ReadString(ref reader);
                    reader.Read();
                    var value = ReadValue(ref reader);
                    var at = obj.IndexOf(name);
                    if (at >= 0)
                    {
                        obj.SetAt(at, value);
                    }
                    else
                    {
                        obj.Add(name, value);
                    }
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(ReadValue(ref reader));
                }

                return array;
            case JsonTokenType.String:
                return JsonValue.Create(ReadString(ref reader));
            case JsonTokenType.Number:
                // Keeps the number's text as written (no float rounding when written back).
                return JsonValue.Create(JsonElement.ParseValue(ref reader));
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.GetString()!;
        }

        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Unescape(Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }

    // Only reached for an escaped unpaired surrogate ("\ud800"): the reader has already validated the escapes.
    private static string Unescape(string raw)
    {
        var text = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\')
            {
                text.Append(raw[i]);
                continue;
            }

            var escape = raw[++i];
            if (escape != 'u')
            {
                text.Append(escape switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escape });
                continue;
            }

            var unit = (char)int.Parse(raw.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            i += 4;
            if (char.IsHighSurrogate(unit) && i + 6 < raw.Length && raw[i + 1] == '\\' && raw[i + 2] == 'u'
                && int.TryParse(raw.AsSpan(i + 3, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var low)
                && char.IsLowSurrogate((char)low))
            {
                text.Append(unit).Append((char)low);
                i += 6;
            }
            else
            {
                text.Append(char.IsSurrogate(unit) ? '\uFFFD' : unit);
            }
        }

        return text.ToString();
    }

    // "'}' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 6." → a sentence with 1-based positions.
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var reason = (cut >= 0 ? message[..cut] : message).TrimEnd('.', ' ');
        return e.LineNumber is { } line && e.BytePositionInLine is { } position
            ? $"the value is not valid JSON at line {line + 1}, byte {position + 1}: {reason}"
            : $"the value is not valid JSON: {reason}";
    }
}
