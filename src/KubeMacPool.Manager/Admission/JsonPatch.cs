using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// An RFC 6902 patch built from targeted operations only: the webhook never replaces a whole object,
/// so fields it does not know survive untouched.
/// </summary>
internal sealed class JsonPatch
{
    private readonly List<(string Op, string Path, JsonNode? Value)> _ops = [];

    public bool IsEmpty => _ops.Count == 0;

    public int Count => _ops.Count;

    public JsonPatch Add(string path, JsonNode? value)
    {
        _ops.Add(("add", path, value));
        return this;
    }

    public JsonPatch Replace(string path, JsonNode? value)
    {
        _ops.Add(("replace", path, value));
        return this;
    }

    /// <summary>
    /// Sets one annotation: adds the annotations map first when the object has none, and uses "add"
    /// (valid whether or not the key exists) for the key itself.
    /// </summary>
    public JsonPatch SetAnnotation(JsonObject obj, string key, string value)
    {
        if (obj["metadata"]?["annotations"] is not JsonObject)
        {
            Add("/metadata/annotations", new JsonObject());
        }

        return Add("/metadata/annotations/" + EscapePointerSegment(key), JsonValue.Create(value));
    }

    /// <summary>JSON Pointer segment escaping (RFC 6901): "~" becomes "~0", "/" becomes "~1".</summary>
    public static string EscapePointerSegment(string segment) =>
        segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public byte[] ToUtf8Bytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (op, path, value) in _ops)
            {
                writer.WriteStartObject();
                writer.WriteString("op", op);
                writer.WriteString("path", path);
                writer.WritePropertyName("value");
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(ToUtf8Bytes());
}
