using System.Globalization;
using System.Text.Json;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// Equality of two JSON values as Go's reflect.DeepEqual sees them once decoded into structs: object key order
/// does not matter, and a null or an empty string equals an absent key (both decode to the zero value).
/// </summary>
internal static class GoJsonEquality
{
    public static bool Equal(JsonElement? a, JsonElement? b)
    {
        if (IsZero(a) || IsZero(b))
        {
            return IsZero(a) && IsZero(b);
        }

        var (x, y) = (a!.Value, b!.Value);
        switch (x.ValueKind, y.ValueKind)
        {
            case (JsonValueKind.Object, JsonValueKind.Object):
                return Covers(x, y) && Covers(y, x);
            case (JsonValueKind.Array, JsonValueKind.Array):
                if (x.GetArrayLength() != y.GetArrayLength())
                {
                    return false;
                }

                using (var left = x.EnumerateArray())
                using (var right = y.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!Equal(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case (JsonValueKind.Number, JsonValueKind.Number):
                // 1 and 1.0 decode to the same Go number.
                return decimal.TryParse(x.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dx)
                    && decimal.TryParse(y.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dy)
                    ? dx == dy
                    : x.GetRawText() == y.GetRawText();
            case (JsonValueKind.String, JsonValueKind.String):
                return x.ValueEquals(y.GetString());
            case var (kx, ky):
                return kx == ky; // true or false: nulls are zero, and the other kinds are above
        }
    }

    // Every key of one object has an equal value (absent counting as zero) in the other.
    private static bool Covers(JsonElement x, JsonElement y)
    {
        foreach (var property in x.EnumerateObject())
        {
            if (!Equal(JsonNav.Child(x, property.Name), JsonNav.Child(y, property.Name)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsZero(JsonElement? element) =>
        element is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }
        || (element.Value.ValueKind == JsonValueKind.String && element.Value.ValueEquals(ReadOnlySpan<byte>.Empty));
}
