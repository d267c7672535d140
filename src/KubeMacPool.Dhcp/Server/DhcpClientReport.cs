using System.Net;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Dhcp.Server;

/// <summary>
/// A DECLINE (the client found its address in use: a likely conflict to surface as an event) or RELEASE seen from a
/// known client. Reservations are controller-owned, so neither changes what the agent hands out.
/// </summary>
public sealed record DhcpClientReport(string MessageType, MacAddress Mac, IPAddress? Address);
