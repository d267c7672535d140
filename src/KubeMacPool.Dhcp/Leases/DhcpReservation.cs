using System.Net;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Dhcp.Leases;

/// <summary>A fixed lease: the MAC always gets <paramref name="Address"/>; <paramref name="HostName"/> becomes option 12.</summary>
public sealed record DhcpReservation(MacAddress Mac, IPAddress Address, string? HostName);
