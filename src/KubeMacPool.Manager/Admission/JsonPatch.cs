using System.Buffers;
using System.Text;
using System.Text.Json;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// An RFC 6902 patch built from targeted "add" operations only: the webhook never replaces a whole object, so fields
/// it does not know survive untouched. Values are strings, or the empty map a first annotation needs.
/// </summary>
internal sealed class JsonPatch
{
    // A null value is an empty object.
    private readonly List<(string Path, string? Value)> _ops = [];

    public bool IsEmpty => _ops.Count == 0;

    public int Count => _ops.Count;

    /// <summary>"add" (valid whether or not the field exists) of a string value.</summary>
    public JsonPatch Add(string path, string value)
    {
        _ops.Add((path, value));
        return this;
    }

    /// <summary>
    /// Sets one annotation: adds the annotations map first when the object has none, and uses "add"
    /// (valid whether or not the key exists) for the key itself.
    /// </summary>
    public JsonPatch SetAnnotation(JsonElement obj, string key, string value)
    {
        if (JsonNav.Child(JsonNav.Child(obj, "metadata"u8), "annotations"u8) is not { ValueKind: JsonValueKind.Object })
        {
            _ops.Add((JsonPointer.Annotations, null));
        }

        return Add(JsonPointer.Annotation(key), value);
    }

    /// <summary>JSON Pointer segment escaping (RFC 6901): "~" becomes "~0", "/" becomes "~1".</summary>
    public static string EscapePointerSegment(string segment) => JsonPointer.Escape(segment);

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var (path, value) in _ops)
        {
            writer.WriteStartObject();
            writer.WriteString("op"u8, "add"u8);
            writer.WriteString("path"u8, path);
            if (value is null)
            {
                writer.WritePropertyName("value"u8);
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("value"u8, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
