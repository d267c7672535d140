using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// A node tree as a document, so that the element readers (the admission path's) also serve callers holding trees:
/// one reader, not a copy per shape. Cold paths only.
/// </summary>
internal static class JsonTrees
{
    // Strict where a tree would throw on first use: a duplicate key is an error (JsonException), never last-wins.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = GoJsonReader.MaxDepth, AllowDuplicateProperties = false };

    public static JsonDocument ToDocument(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = GoJsonReader.MaxDepth, SkipValidation = true }))
        {
            node.WriteTo(writer);
        }

        return Parse(buffer.WrittenMemory);
    }

    /// <summary>UTF-8 JSON as a document, as strict as <see cref="ToDocument"/>.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8Json) => JsonDocument.Parse(utf8Json, Options);
}
