using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Ipam;

/// <summary>
/// The static IPs a VMI asks for on a primary user-defined network: annotation <c>network.kubevirt.io/addresses</c>, a JSON
/// map from logical network name to bare IPs. Each IP gets the prefix length of the first subnet of its family in the
/// NAD's <c>subnets</c>, because the CNI wants CIDR form.
/// </summary>
public static class IpRequests
{
    public const string AddressesAnnotation = "network.kubevirt.io/addresses";

    /// <summary>The CIDR-form requests for <paramref name="logicalNetwork"/>; empty without the annotation or entry.</summary>
    public static IpRequestsResult For(string? annotation, string logicalNetwork, IReadOnlyList<string> subnets)
    {
        if (string.IsNullOrEmpty(annotation))
        {
            return new IpRequestsResult([], null);
        }

        if (!GoJsonReader.TryParse(annotation, out var root, out var syntaxError) || root is not (JsonObject or null))
        {
            return Failed($"annotation {AddressesAnnotation} must be a JSON map of network name to IP list: {syntaxError ?? "not an object"}");
        }

        if (JsonNav.Child(root, logicalNetwork) is not { } listNode)
        {
            return new IpRequestsResult([], null);
        }

        if (listNode is not JsonArray list || list.Any(ip => ip?.GetValueKind() != JsonValueKind.String))
        {
            return Failed($"annotation {AddressesAnnotation}: the entry of network {logicalNetwork} must be a list of IP strings");
        }

        var result = new List<string>();
        foreach (var text in list.Select(ip => ip!.GetValue<string>()))
        {
            if (!IPAddress.TryParse(text, out var ip) || text.Contains('/', StringComparison.Ordinal))
            {
                return Failed($"annotation {AddressesAnnotation}: \"{text}\" is not an IP address");
            }

            var prefix = subnets.Select(PrefixOf).FirstOrDefault(s => s.Family == ip.AddressFamily).Length;
            if (prefix is null)
            {
                var family = ip.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
                return Failed($"could not find a subnet for IP {text}: the network's subnets \"{string.Join(',', subnets)}\" have no {family} subnet");
            }

            result.Add(string.Create(CultureInfo.InvariantCulture, $"{text}/{prefix}"));
        }

        return new IpRequestsResult(result, null);
    }

    private static (AddressFamily Family, int? Length) PrefixOf(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
               && IPAddress.TryParse(cidr.AsSpan(0, slash), out var address)
               && int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
               && length <= (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            ? (address.AddressFamily, length)
            : (AddressFamily.Unknown, null);
    }

    private static IpRequestsResult Failed(string error) => new([], error);
}

/// <summary>The requests in CIDR form, or why the annotation could not be used.</summary>
public sealed record IpRequestsResult(IReadOnlyList<string> Ips, string? Error);
