using System.Text.Json;
using KubeMacPool.Core.Ipv4;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// <c>kubemacpool.io/pinned-ips</c> on a VM: a JSON object from interface name to the IPv4 address that interface
/// must get, e.g. <c>{"net1":"10.0.0.50"}</c>. Validated at admission; copied into the reservation's spec.
/// </summary>
internal static class PinnedIpAnnotation
{
    public const string Name = WellKnown.PinnedIpsAnnotation;

    public static IReadOnlyDictionary<string, string> ReadOrEmpty(IDictionary<string, string>? annotations) =>
        annotations is not null && annotations.TryGetValue(Name, out var text) && TryParse(text, out var pins, out _)
            ? pins
            : new Dictionary<string, string>();

    public static bool TryParse(string? text, out IReadOnlyDictionary<string, string> pins, out string? error)
    {
        pins = new Dictionary<string, string>();
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        Dictionary<string, JsonElement>? raw;
        try
        {
            raw = JsonSerializer.Deserialize(text, DhcpJsonContext.Default.DictionaryStringJsonElement);
        }
        catch (JsonException)
        {
            raw = null;
        }

        if (raw is null)
        {
            error = $"annotation {Name} must be a JSON object from interface name to IPv4 address, e.g. {{\"net1\":\"10.0.0.50\"}}";
            return false;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (iface, value) in raw)
        {
            if (value.ValueKind != JsonValueKind.String || !Ipv4.TryParse(value.GetString(), out var address))
            {
                error = $"annotation {Name}: the address of interface \"{iface}\" must be an IPv4 address string, got {value.GetRawText()}";
                return false;
            }

            result[iface] = Ipv4.Format(address);
        }

        pins = result;
        return true;
    }
}
