using System.Buffers;
using System.Text.Json;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>What a cached VirtualMachine keeps of its spec: the template's interfaces and networks, as UTF-8 JSON.</summary>
internal static class VirtualMachineSpecs
{
    /// <summary>
    /// <c>{"template":{"spec":{"domain":{"devices":{"interfaces":…}},"networks":…}}}</c> from <paramref name="spec"/>;
    /// a spec without a template is kept whole (the pool reads nothing from it, but nothing is guessed away either).
    /// </summary>
    public static byte[]? Pack(JsonElement spec)
    {
        if (spec.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (Child(spec, "template") is { } template && Child(template, "spec") is { } templateSpec)
            {
                writer.WriteStartObject();
                writer.WriteStartObject("template");
                writer.WriteStartObject("spec");
                if (Child(templateSpec, "domain") is { } domain && Child(domain, "devices") is { } devices
                    && devices.TryGetProperty("interfaces", out var interfaces))
                {
                    writer.WriteStartObject("domain");
                    writer.WriteStartObject("devices");
                    writer.WritePropertyName("interfaces");
                    interfaces.WriteTo(writer);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                if (templateSpec.TryGetProperty("networks", out var networks))
                {
                    writer.WritePropertyName("networks");
                    networks.WriteTo(writer);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else
            {
                spec.WriteTo(writer);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The interfaces and networks arrays of a spec <see cref="Pack"/> wrote with both: a cache that holds thousands of
    /// VMs keeps those two and rebuilds the rest (<see cref="Join"/>), the same bytes, on each read. False for any
    /// other shape.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> packed, out ReadOnlySpan<byte> interfaces, out ReadOnlySpan<byte> networks)
    {
        interfaces = networks = default;
        if (!packed.StartsWith(BeforeInterfaces) || !packed.EndsWith(AfterNetworks))
        {
            return false;
        }

        var rest = packed[BeforeInterfaces.Length..^AfterNetworks.Length];
        var length = ValueLength(rest);
        if (length < 0 || !rest[length..].StartsWith(BetweenArrays))
        {
            return false;
        }

        interfaces = rest[..length];
        networks = rest[(length + BetweenArrays.Length)..];
        return ValueLength(networks) == networks.Length;
    }

    /// <summary>The spec <see cref="TrySplit"/> took apart.</summary>
    public static byte[] Join(ReadOnlySpan<byte> interfaces, ReadOnlySpan<byte> networks)
    {
        var spec = new byte[BeforeInterfaces.Length + interfaces.Length + BetweenArrays.Length + networks.Length + AfterNetworks.Length];
        var rest = spec.AsSpan();
        Append(ref rest, BeforeInterfaces);
        Append(ref rest, interfaces);
        Append(ref rest, BetweenArrays);
        Append(ref rest, networks);
        Append(ref rest, AfterNetworks);
        return spec;

        static void Append(ref Span<byte> rest, ReadOnlySpan<byte> part)
        {
            part.CopyTo(rest);
            rest = rest[part.Length..];
        }
    }

    private static ReadOnlySpan<byte> BeforeInterfaces => """{"template":{"spec":{"domain":{"devices":{"interfaces":"""u8;

    private static ReadOnlySpan<byte> BetweenArrays => """}},"networks":"""u8;

    private static ReadOnlySpan<byte> AfterNetworks => "}}}"u8;

    /// <summary>How many bytes the one JSON value at the start of <paramref name="json"/> takes; -1 when it is not one.</summary>
    private static int ValueLength(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: false, default);
            return reader.Read() && reader.TrySkip() ? (int)reader.BytesConsumed : -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    private static JsonElement? Child(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object ? child : null;
}
