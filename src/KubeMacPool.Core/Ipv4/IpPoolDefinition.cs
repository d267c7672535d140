namespace KubeMacPool.Core.Ipv4;

/// <summary>
/// A validated IP pool: every address parsed and consistent. <see cref="Reserved"/> are the addresses of the range
/// that are never handed out: the user's excludes plus the server and router when they fall inside the range.
/// </summary>
public sealed record IpPoolDefinition
{
    /// <summary>Used when the pool does not say: renewals at half of it carry option changes to guests within 30 min.</summary>
    public const long DefaultLeaseTimeSeconds = 3600;

    public required string Name { get; init; }

    /// <summary>The NetworkAttachmentDefinition as <c>namespace/name</c>.</summary>
    public required string Network { get; init; }

    public required Ipv4Cidr Cidr { get; init; }

    public required uint ServerIp { get; init; }

    public uint? Router { get; init; }

    public required uint RangeStart { get; init; }

    public required uint RangeEnd { get; init; }

    public required IReadOnlyList<uint> Reserved { get; init; }

    public IReadOnlyList<uint> Dns { get; init; } = [];

    public string? DomainName { get; init; }

    public IReadOnlyList<string> SearchDomains { get; init; } = [];

    public IReadOnlyList<uint> Ntp { get; init; } = [];

    public long LeaseTimeSeconds { get; init; } = DefaultLeaseTimeSeconds;

    public int? Mtu { get; init; }

    public bool RangeContains(uint address) => address >= RangeStart && address <= RangeEnd;

    public Ipv4RangeAllocator CreateAllocator() => new(RangeStart, RangeEnd, Reserved);
}
