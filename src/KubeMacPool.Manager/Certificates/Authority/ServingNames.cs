using System.Net;
using k8s.Models;

namespace KubeMacPool.Manager.Certificates.Authority;

/// <summary>
/// The names the serving certificate must carry: the Service's DNS names (<c>svc</c>, <c>svc.ns</c>,
/// <c>svc.ns.svc</c>, <c>svc.ns.svc.cluster.local</c>), plus the host of every webhook that is called by
/// <c>url</c> (an IP address such as 127.0.0.1 on the local cluster becomes an IP SAN, a host name a DNS SAN).
/// </summary>
internal sealed record ServingNames(string CommonName, IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> IpAddresses)
{
    /// <summary>The names, comma separated, for logs.</summary>
    public string Describe => string.Join(",", DnsNames.Concat(IpAddresses.Select(i => i.ToString())));

    public static ServingNames For(string service, string @namespace, IEnumerable<V1MutatingWebhook>? webhooks = null)
    {
        var dns = new List<string>
        {
            service, $"{service}.{@namespace}", $"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local",
        };
        var ips = new List<IPAddress>();
        foreach (var url in (webhooks ?? []).Select(w => w.ClientConfig?.Url).OfType<string>())
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                continue;
            }

            if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
            {
                if (!ips.Contains(ip))
                {
                    ips.Add(ip);
                }
            }
            else if (!dns.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
            {
                dns.Add(uri.Host);
            }
        }

        return new ServingNames($"{service}.{@namespace}.svc", dns, ips);
    }
}
