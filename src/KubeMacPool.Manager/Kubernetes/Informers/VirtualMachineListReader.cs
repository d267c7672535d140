using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// A page of VirtualMachines read straight into the shape the cache keeps (<see cref="CacheTrims.VirtualMachine"/>):
/// the informer's first list is the largest read of a start, and building every VM whole (managedFields, the full
/// spec as a node tree, the status) only to drop most of it cost more CPU than the pool rebuild itself.
/// </summary>
[JsonConverter(typeof(VirtualMachineListReader))]
internal sealed class CachedVirtualMachineList : IKubernetesObject<V1ListMeta>, IItems<VirtualMachine>
{
    public string ApiVersion { get; set; } = $"{VirtualMachine.Group}/{VirtualMachine.Version}";

    public string Kind { get; set; } = "VirtualMachineList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<VirtualMachine> Items { get; set; } = [];
}

/// <summary>Reads a VirtualMachine list token by token, skipping every field the cache does not keep.</summary>
internal sealed class VirtualMachineListReader : JsonConverter<CachedVirtualMachineList>
{
    public override CachedVirtualMachineList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var list = new CachedVirtualMachineList();
        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "apiVersion"u8))
            {
                list.ApiVersion = reader.GetString() ?? list.ApiVersion;
            }
            else if (Take(ref reader, "kind"u8))
            {
                list.Kind = reader.GetString() ?? list.Kind;
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

    public override void Write(Utf8JsonWriter writer, CachedVirtualMachineList value, JsonSerializerOptions options) =>
        throw new NotSupportedException("a cached VirtualMachine list is read, never written");

    private static List<VirtualMachine> ReadItems(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        var items = new List<VirtualMachine>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return items;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(ReadVirtualMachine(ref reader, options));
        }

        return items;
    }

    private static VirtualMachine ReadVirtualMachine(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        var vm = new VirtualMachine();
        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "apiVersion"u8))
            {
                vm.ApiVersion = CacheTrims.Intern(reader.GetString()) ?? vm.ApiVersion;
            }
            else if (Take(ref reader, "kind"u8))
            {
                vm.Kind = CacheTrims.Intern(reader.GetString()) ?? vm.Kind;
            }
            else if (Take(ref reader, "metadata"u8))
            {
                vm.Metadata = ReadMetadata(ref reader, options);
            }
            else if (Take(ref reader, "spec"u8))
            {
                using var spec = JsonDocument.ParseValue(ref reader);
                vm.PackSpec(VirtualMachineSpecs.Pack(spec.RootElement));
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return vm;
    }

    /// <summary>The metadata fields <see cref="CacheTrims.VirtualMachine"/> keeps, and no others.</summary>
    private static V1ObjectMeta ReadMetadata(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        var metadata = new V1ObjectMeta();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return metadata;
        }

        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "name"u8))
            {
                metadata.Name = reader.GetString();
            }
            else if (Take(ref reader, "namespace"u8))
            {
                metadata.NamespaceProperty = CacheTrims.Intern(reader.GetString());
            }
            else if (Take(ref reader, "uid"u8))
            {
                metadata.Uid = reader.GetString();
            }
            else if (Take(ref reader, "generation"u8))
            {
                metadata.Generation = JsonSerializer.Deserialize<long?>(ref reader, options);
            }
            else if (Take(ref reader, "deletionTimestamp"u8))
            {
                metadata.DeletionTimestamp = JsonSerializer.Deserialize<DateTime?>(ref reader, options);
            }
            else if (Take(ref reader, "finalizers"u8))
            {
                metadata.Finalizers = JsonSerializer.Deserialize<List<string>>(ref reader, options);
            }
            else if (Take(ref reader, "annotations"u8))
            {
                metadata.Annotations = ReadKeptAnnotations(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return metadata;
    }

    private static CompactMap? ReadKeptAnnotations(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectObject(ref reader);
        List<KeyValuePair<string, string>>? kept = null;
        while (NextProperty(ref reader))
        {
            // Kept keys become the shared constant; the others are never decoded.
            var key = reader.ValueIsEscaped ? CacheTrims.KeptVirtualMachineAnnotation(System.Text.Encoding.UTF8.GetBytes(reader.GetString()!))
                : CacheTrims.KeptVirtualMachineAnnotation(reader.ValueSpan);
            reader.Read();
            if (key is not null && reader.TokenType == JsonTokenType.String)
            {
                (kept ??= new(2)).Add(new(key, reader.GetString()!));
            }
            else
            {
                reader.Skip();
            }
        }

        return kept is null ? null : new CompactMap([.. kept]);
    }

    private static void ExpectObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected an object, found {reader.TokenType}");
        }
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>When the reader is at property <paramref name="name"/>, moves it onto the value and says so.</summary>
    private static bool Take(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.ValueTextEquals(name) && reader.Read();

    /// <summary>Skips the value of the property the reader is at.</summary>
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }
}
