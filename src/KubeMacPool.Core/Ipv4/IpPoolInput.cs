namespace KubeMacPool.Core.Ipv4;

/// <summary>An IP pool's settings as the user wrote them (strings), before validation.</summary>
public sealed record IpPoolInput
{
    public required string Name { get; init; }

    public string? Network { get; init; }

    public string? Cidr { get; init; }

    public string? ServerIp { get; init; }

    public string? Router { get; init; }

    public string? RangeStart { get; init; }

    public string? RangeEnd { get; init; }

    public IReadOnlyList<string> Exclude { get; init; } = [];

    public IReadOnlyList<string> Dns { get; init; } = [];

    public string? DomainName { get; init; }

    public IReadOnlyList<string> SearchDomains { get; init; } = [];

    public IReadOnlyList<string> Ntp { get; init; } = [];

    public long? LeaseTimeSeconds { get; init; }

    public int? Mtu { get; init; }
}
