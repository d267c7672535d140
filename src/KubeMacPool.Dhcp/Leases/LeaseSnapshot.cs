using System.Collections.Frozen;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Dhcp.Leases;

/// <summary>One immutable view of a pool: settings plus reservations by MAC. Readers never see a half-applied update.</summary>
internal sealed class LeaseSnapshot(DhcpNetworkSettings settings, FrozenDictionary<MacAddress, DhcpReservation> byMac, long generation)
{
    public DhcpNetworkSettings Settings { get; } = settings;

    public FrozenDictionary<MacAddress, DhcpReservation> ByMac { get; } = byMac;

    /// <summary>Counts Replace calls, so logs can say which pool version answered.</summary>
    public long Generation { get; } = generation;

    public uint ServerAddress { get; } = Protocol.IPv4.ToUInt32(settings.ServerAddress);

    public PoolOptions Options { get; } = new(settings);
}
