namespace KubeMacPool.Dhcp.Protocol;

/// <summary>Why a datagram is not a DHCP message we can read.</summary>
public enum DhcpDecodeError
{
    None,

    /// <summary>Shorter than the 236-byte header plus the 4-byte magic cookie.</summary>
    Truncated,

    /// <summary>Longer than a UDP datagram can be.</summary>
    Oversized,

    /// <summary>Not the DHCP magic cookie 99.130.83.99 (plain BOOTP or not DHCP at all).</summary>
    BadMagicCookie,

    /// <summary>op is neither BOOTREQUEST nor BOOTREPLY, or hlen is over 16.</summary>
    BadHeader,

    /// <summary>An option's length runs past the end of its field.</summary>
    OptionOverrun,

    /// <summary>A fixed-size option (53, 50, 54, 57, 52) has the wrong length or value.</summary>
    BadOptionValue,
}
