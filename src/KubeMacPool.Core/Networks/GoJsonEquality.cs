using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// Equality of two JSON values as Go's reflect.DeepEqual sees them once decoded into structs: object key order
/// does not matter, and a null or an empty string equals an absent key (both decode to the zero value).
/// </summary>
internal static class GoJsonEquality
{
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        if (IsZero(a) || IsZero(b))
        {
            return IsZero(a) && IsZero(b);
        }

        switch (a, b)
        {
            case (JsonObject x, JsonObject y):
                return x.Select(p => p.Key).Union(y.Select(p => p.Key), StringComparer.Ordinal)
                    .All(key => Equal(x.TryGetPropertyValue(key, out var u) ? u : null, y.TryGetPropertyValue(key, out var v) ? v : null));
            case (JsonArray x, JsonArray y):
                return x.Count == y.Count && x.Zip(y).All(pair => Equal(pair.First, pair.Second));
            case (JsonValue x, JsonValue y):
                var (kx, ky) = (x.GetValueKind(), y.GetValueKind());
                if (kx == JsonValueKind.Number && ky == JsonValueKind.Number)
                {
                    // 1 and 1.0 decode to the same Go number.
                    return decimal.TryParse(x.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dx)
                        && decimal.TryParse(y.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dy)
                        ? dx == dy
                        : x.ToJsonString() == y.ToJsonString();
                }

                return kx == ky && (kx != JsonValueKind.String || x.GetValue<string>() == y.GetValue<string>());
            default:
                return false;
        }
    }

    private static bool IsZero(JsonNode? node) =>
        node is null || (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length == 0);
}
