using System.Buffers.Binary;
using System.Net;
using System.Text;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Dhcp.Leases;

/// <summary>The pool's option values in wire form, encoded once per <see cref="DhcpLeaseBook.Replace"/>.</summary>
internal sealed class PoolOptions
{
    public const uint InfiniteLease = uint.MaxValue;

    public PoolOptions(DhcpNetworkSettings settings)
    {
        ServerIdentifier = new DhcpOption(DhcpOptionCode.ServerIdentifier, AddressBytes([settings.ServerAddress]));
        SubnetMask = new DhcpOption(DhcpOptionCode.SubnetMask, AddressBytes([settings.SubnetMask]));
        LeaseSeconds = settings.LeaseTime == Timeout.InfiniteTimeSpan || settings.LeaseTime.TotalSeconds >= InfiniteLease
            ? InfiniteLease
            : (uint)settings.LeaseTime.TotalSeconds;
        LeaseTime = new DhcpOption(DhcpOptionCode.LeaseTime, UInt32Bytes(LeaseSeconds));
        if (LeaseSeconds != InfiniteLease)
        {
            // RFC 2131 §4.4.5 defaults: T1 at 50 %, T2 at 87.5 % of the lease.
            RenewalTime = new DhcpOption(DhcpOptionCode.RenewalTime, UInt32Bytes(LeaseSeconds / 2));
            RebindingTime = new DhcpOption(DhcpOptionCode.RebindingTime, UInt32Bytes((uint)(LeaseSeconds * 7UL / 8)));
        }

        var optional = new List<DhcpOption>();
        if (settings.Router is { } router)
        {
            optional.Add(new DhcpOption(DhcpOptionCode.Router, AddressBytes([router])));
        }

        if (settings.DnsServers.Count > 0)
        {
            optional.Add(new DhcpOption(DhcpOptionCode.DomainNameServer, AddressBytes(settings.DnsServers)));
        }

        if (!string.IsNullOrEmpty(settings.DomainName))
        {
            optional.Add(new DhcpOption(DhcpOptionCode.DomainName, Encoding.ASCII.GetBytes(settings.DomainName)));
        }

        if (settings.InterfaceMtu is { } mtu)
        {
            var bytes = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)mtu);
            optional.Add(new DhcpOption(DhcpOptionCode.InterfaceMtu, bytes));
        }

        if (settings.NtpServers.Count > 0)
        {
            optional.Add(new DhcpOption(DhcpOptionCode.NtpServers, AddressBytes(settings.NtpServers)));
        }

        if (settings.SearchDomains.Count > 0)
        {
            optional.Add(new DhcpOption(DhcpOptionCode.DomainSearch, DomainSearchEncoding.Encode(settings.SearchDomains)));
        }

        if (settings.ClasslessRoutes.Count > 0)
        {
            optional.Add(new DhcpOption(DhcpOptionCode.ClasslessStaticRoute, ClasslessRouteEncoding.Encode(WithDefaultRoute(settings))));
        }

        Optional = [.. optional];
    }

    public DhcpOption ServerIdentifier { get; }

    public DhcpOption SubnetMask { get; }

    public uint LeaseSeconds { get; }

    public DhcpOption LeaseTime { get; }

    public DhcpOption? RenewalTime { get; }

    public DhcpOption? RebindingTime { get; }

    /// <summary>Options sent when configured, ordered by code; the responder reorders them by the client's request list.</summary>
    public DhcpOption[] Optional { get; }

    // A client that gets option 121 ignores option 3 (RFC 3442), so the default route rides along in 121.
    private static List<ClasslessRoute> WithDefaultRoute(DhcpNetworkSettings settings)
    {
        var routes = settings.ClasslessRoutes.ToList();
        if (settings.Router is { } router && !routes.Any(route => route.PrefixLength == 0))
        {
            routes.Add(new ClasslessRoute(IPAddress.Any, 0, router));
        }

        return routes;
    }

    private static byte[] AddressBytes(IReadOnlyList<IPAddress> addresses)
    {
        var bytes = new byte[addresses.Count * 4];
        for (var i = 0; i < addresses.Count; i++)
        {
            IPv4.Write(addresses[i], bytes.AsSpan(i * 4));
        }

        return bytes;
    }

    private static byte[] UInt32Bytes(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
