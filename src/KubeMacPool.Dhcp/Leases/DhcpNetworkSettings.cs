using System.Net;

namespace KubeMacPool.Dhcp.Leases;

/// <summary>What one IP pool says about its subnet: the options every lease of the pool carries.</summary>
public sealed record DhcpNetworkSettings
{
    /// <summary>The agent's own address on the network: option 54, and what clients send back to pick us.</summary>
    public required IPAddress ServerAddress { get; init; }

    public required IPAddress SubnetMask { get; init; }

    public IPAddress? Router { get; init; }

    public IReadOnlyList<IPAddress> DnsServers { get; init; } = [];

    public string? DomainName { get; init; }

    public IReadOnlyList<string> SearchDomains { get; init; } = [];

    public IReadOnlyList<IPAddress> NtpServers { get; init; } = [];

    /// <summary>Option 51. <see cref="Timeout.InfiniteTimeSpan"/> or anything ≥ 2^32-1 s means infinite.</summary>
    public required TimeSpan LeaseTime { get; init; }

    public int? InterfaceMtu { get; init; }

    public IReadOnlyList<ClasslessRoute> ClasslessRoutes { get; init; } = [];
}
