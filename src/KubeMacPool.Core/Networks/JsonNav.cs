using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>Safe navigation: JsonNode's string indexer throws on a node that is not an object.</summary>
internal static class JsonNav
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
}
