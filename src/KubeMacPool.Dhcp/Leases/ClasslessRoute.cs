using System.Net;

namespace KubeMacPool.Dhcp.Leases;

/// <summary>One RFC 3442 classless static route (option 121): <c>Destination/PrefixLength via Gateway</c>.</summary>
public sealed record ClasslessRoute(IPAddress Destination, int PrefixLength, IPAddress Gateway);
