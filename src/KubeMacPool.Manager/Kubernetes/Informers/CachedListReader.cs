using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using static KubeMacPool.Manager.Kubernetes.Informers.JsonTokens;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// Reads a list page token by token: the list's own fields, and each item through <see cref="ReadItem"/>, which
/// builds only what the cache keeps. Lists are read, never written.
/// </summary>
internal abstract class CachedListReader<TList, T> : JsonConverter<TList>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>, new()
{
    public override TList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var list = new TList();
        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "apiVersion"u8))
            {
                list.ApiVersion = String(ref reader) ?? list.ApiVersion;
            }
            else if (Take(ref reader, "kind"u8))
            {
                list.Kind = String(ref reader) ?? list.Kind;
            }
            else if (Take(ref reader, "metadata"u8))
            {
                list.Metadata = JsonSerializer.Deserialize<V1ListMeta>(ref reader, options) ?? new();
            }
            else if (Take(ref reader, "items"u8))
            {
                list.Items = ReadItems(ref reader, options);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return list;
    }

    public override void Write(Utf8JsonWriter writer, TList value, JsonSerializerOptions options) =>
        throw new NotSupportedException($"a cached {typeof(T).Name} list is read, never written");

    /// <summary>One item, the reader at its first token; the reader ends at its last.</summary>
    protected abstract T ReadItem(ref Utf8JsonReader reader, JsonSerializerOptions options);

    private List<T> ReadItems(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        var items = new List<T>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return items;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(ReadItem(ref reader, options));
        }

        return items;
    }
}
