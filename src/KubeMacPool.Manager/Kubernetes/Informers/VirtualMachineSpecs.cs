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

    private static JsonElement? Child(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object ? child : null;
}
