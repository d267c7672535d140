using System.Net;

namespace KubeMacPool.Dhcp.Server;

/// <summary>Where the agent listens and whom it answers.</summary>
public sealed class DhcpServerOptions
{
    /// <summary>The pool's network interface (SO_BINDTODEVICE); null listens on every interface.</summary>
    public string? InterfaceName { get; set; }

    public IPAddress ListenAddress { get; set; } = IPAddress.Any;

    public int ServerPort { get; set; } = 67;

    public int ClientPort { get; set; } = 68;

    /// <summary>
    /// Where replies for clients without an address go (RFC 2131 §4.1). The limited broadcast by default; the
    /// loopback benchmark points it at 127.0.0.1.
    /// </summary>
    public IPAddress BroadcastAddress { get; set; } = IPAddress.Broadcast;
}
