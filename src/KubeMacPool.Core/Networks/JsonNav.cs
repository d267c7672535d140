using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// Safe navigation: JsonNode's string indexer throws on a node that is not an object. The element overloads read a
/// JSON null as absent, as a node tree does (Go's zero value either way).
/// </summary>
public static class JsonNav
{
    public static JsonNode? Child(JsonNode? node, string key) =>
        node is JsonObject obj && obj.TryGetPropertyValue(key, out var child) ? child : null;

    public static JsonNode? Path(JsonNode? node, params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            node = Child(node, key);
        }

        return node;
    }

    public static JsonElement? Child(JsonElement? element, string key) =>
        element is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(key, out var child) && child.ValueKind != JsonValueKind.Null ? child : null;

    /// <summary><see cref="Child(JsonElement?, string)"/> by a UTF-8 key: no transcoding of the key per lookup.</summary>
    public static JsonElement? Child(JsonElement? element, ReadOnlySpan<byte> key) =>
        element is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(key, out var child) && child.ValueKind != JsonValueKind.Null ? child : null;

    /// <summary>
    /// The values of <paramref name="keys"/> (UTF-8) in one pass over the object's properties, into the same
    /// positions of <paramref name="values"/>: a later key wins, as a lookup finds it, and a JSON null reads as absent.
    /// </summary>
    public static void ReadFields(JsonElement obj, byte[][] keys, Span<JsonElement?> values)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var property in obj.EnumerateObject())
        {
            for (var k = 0; k < keys.Length; k++)
            {
                if (property.NameEquals(keys[k]))
                {
                    values[k] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value;
                    break;
                }
            }
        }
    }

    public static JsonElement? Path(JsonElement? element, params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            element = Child(element, key);
        }

        return element;
    }

    /// <summary>The text of a string value; null when absent, null or not a string.</summary>
    public static string? Text(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    /// <summary>A JSON type in words, for "must be …, not …" messages.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
