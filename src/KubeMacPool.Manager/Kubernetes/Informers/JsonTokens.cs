using System.Text.Json;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// The few moves the token-by-token readers (<see cref="VirtualMachineReader"/>, <see cref="PodReader"/>, <see cref="ListResponseReader{T}"/>) share.
/// A value of the wrong type is a <see cref="JsonException"/>, never another exception: the watcher retries on it.
/// </summary>
internal static class JsonTokens
{
    private static readonly KubernetesJson.KubernetesDateTimeConverter Timestamps = new();

    public static void ExpectObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected an object, found {reader.TokenType}");
        }
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>When the reader is at property <paramref name="name"/>, moves it onto the value and says so.</summary>
    public static bool Take(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.ValueTextEquals(name) && reader.Read();

    /// <summary>Skips the value of the property the reader is at.</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    /// <summary>The string (or null) the reader is at.</summary>
    public static string? String(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected a string, found {reader.TokenType}"),
    };

    /// <summary>The boolean (or null) the reader is at.</summary>
    public static bool? Boolean(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected a boolean, found {reader.TokenType}"),
    };

    /// <summary>
    /// When the reader is at <c>name</c>, <c>namespace</c> (one shared string per namespace) or <c>uid</c> of object
    /// metadata, reads it into <paramref name="metadata"/> and says so.
    /// </summary>
    public static bool TakeIdentity(ref Utf8JsonReader reader, V1ObjectMeta metadata)
    {
        if (Take(ref reader, "name"u8))
        {
            metadata.Name = String(ref reader);
        }
        else if (Take(ref reader, "namespace"u8))
        {
            metadata.NamespaceProperty = CacheTrims.Intern(String(ref reader));
        }
        else if (Take(ref reader, "uid"u8))
        {
            metadata.Uid = String(ref reader);
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>A timestamp parsed as KubernetesClient parses it, so a read object equals a deserialized one.</summary>
    public static DateTime? Timestamp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected a timestamp, found {reader.TokenType}");
        }

        try
        {
            return Timestamps.Read(ref reader, typeof(DateTime), JsonSerializerOptions.Default);
        }
        catch (FormatException e)
        {
            throw new JsonException("a timestamp KubernetesClient cannot parse", e);
        }
    }

    /// <summary>
    /// The entries of <paramref name="keys"/> in the string map the reader is at, in the order of
    /// <paramref name="keys"/> and keyed by those shared constants (as <see cref="CacheTrims"/> keeps them); null when
    /// none is there. The values of other keys are never decoded; an escaped key still matches.
    /// </summary>
    public static CompactMap? ReadKept(ref Utf8JsonReader reader, bool internValues, params ReadOnlySpan<string> keys)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectObject(ref reader);
        string?[]? values = null;
        var count = 0;
        while (NextProperty(ref reader))
        {
            var index = IndexOf(ref reader, keys);
            reader.Read();
            if (index >= 0 && reader.TokenType == JsonTokenType.String)
            {
                values ??= new string?[keys.Length];
                count += values[index] is null ? 1 : 0;
                var value = reader.GetString()!;
                values[index] = internValues ? string.Intern(value) : value;
            }
            else
            {
                reader.Skip();
            }
        }

        if (values is null)
        {
            return null;
        }

        var entries = new KeyValuePair<string, string>[count];
        var next = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (values[i] is { } value)
            {
                entries[next++] = new(keys[i], value);
            }
        }

        return new CompactMap(entries);
    }

    /// <summary>Which of <paramref name="keys"/> the property name the reader is at is; -1 for none.</summary>
    private static int IndexOf(ref Utf8JsonReader reader, scoped ReadOnlySpan<string> keys)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            // Compares unescaped text, so "a\/b" matches "a/b".
            if (reader.ValueTextEquals(keys[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
