using System.Buffers;
using System.Text.Json;
using k8s;
using k8s.Models;
using static KubeMacPool.Manager.Kubernetes.Informers.JsonTokens;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>One decoded watch line: an event with its pod, or the error a Status object reports.</summary>
internal readonly record struct PodWatchEvent(WatchEventType Type, V1Pod? Pod, KubernetesException? Error);

/// <summary>
/// Decodes the lines of a pod watch (<c>{"type": "ADDED", "object": {...}}</c>, one per line) with
/// <see cref="PodReader"/>, so a watched pod is never built whole either. An object of kind Status (an ERROR event,
/// such as 410 Expired) becomes a <see cref="KubernetesException"/>, as KubernetesClient's watcher reports it.
/// </summary>
internal static class PodWatchEvents
{
    public static PodWatchEvent Decode(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        return Decode(ref reader);
    }

    public static PodWatchEvent Decode(in ReadOnlySequence<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        return Decode(ref reader);
    }

    private static PodWatchEvent Decode(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("an empty watch line");
        }

        ExpectObject(ref reader);
        WatchEventType? type = null;
        V1Pod? pod = null;
        KubernetesException? error = null;
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "type"u8))
            {
                type = EventType(ref reader);
            }
            else if (Take(ref reader, "object"u8))
            {
                // The server sends the type first; only an ERROR (or a type not seen yet) needs the look at the kind.
                if ((type is null or WatchEventType.Error) && IsStatus(reader))
                {
                    error = new KubernetesException(ReadStatus(ref reader));
                }
                else
                {
                    pod = PodReader.Read(ref reader);
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (error is not null)
        {
            return new PodWatchEvent(WatchEventType.Error, null, error);
        }

        return type is { } t && pod is not null
            ? new PodWatchEvent(t, pod, null)
            : throw new JsonException("a watch event without a type or an object");
    }

    private static WatchEventType EventType(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("ADDED"u8))
            {
                return WatchEventType.Added;
            }

            if (reader.ValueTextEquals("MODIFIED"u8))
            {
                return WatchEventType.Modified;
            }

            if (reader.ValueTextEquals("DELETED"u8))
            {
                return WatchEventType.Deleted;
            }

            if (reader.ValueTextEquals("BOOKMARK"u8))
            {
                return WatchEventType.Bookmark;
            }

            if (reader.ValueTextEquals("ERROR"u8))
            {
                return WatchEventType.Error;
            }
        }

        throw new JsonException("an unknown watch event type");
    }

    /// <summary>Whether the object the reader (a copy: the caller's stays put) is at has kind Status.</summary>
    private static bool IsStatus(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "kind"u8))
            {
                return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("Status"u8);
            }

            SkipValue(ref reader);
        }

        return false;
    }

    private static V1Status ReadStatus(ref Utf8JsonReader reader)
    {
        using var status = JsonDocument.ParseValue(ref reader);
        return KubernetesJson.Deserialize<V1Status>(status.RootElement);
    }
}
