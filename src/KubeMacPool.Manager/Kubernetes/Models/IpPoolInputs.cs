using KubeMacPool.Core.Ipv4;

namespace KubeMacPool.Manager.Kubernetes.Models;

internal static class PoolInputs
{
    /// <summary>The pool's spec as the validator takes it.</summary>
    public static IpPoolInput ToInput(this IpPool pool) => new()
    {
        Name = pool.Metadata.Name ?? "",
        Network = pool.Spec.Network,
        Cidr = pool.Spec.Cidr,
        ServerIp = pool.Spec.ServerIp,
        Router = pool.Spec.Router,
        RangeStart = pool.Spec.Range?.Start,
        RangeEnd = pool.Spec.Range?.End,
        Exclude = [.. pool.Spec.Exclude ?? []],
        Dns = [.. pool.Spec.Dns ?? []],
        DomainName = pool.Spec.DomainName,
        SearchDomains = [.. pool.Spec.SearchDomains ?? []],
        Ntp = [.. pool.Spec.Ntp ?? []],
        LeaseTimeSeconds = pool.Spec.LeaseTimeSeconds,
        Mtu = pool.Spec.Mtu,
    };
}
