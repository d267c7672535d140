using System.Net;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Dhcp.Server;

/// <summary>Why the agent stays silent.</summary>
internal enum SilenceReason
{
    None,
    NotReady,
    NotARequest,
    NoMessageType,
    NotEthernet,
    UnknownMac,
    ForeignServer,
    NoAddressInRequest,
    NoReplyExpected,
    UnsupportedMessageType,
}

/// <summary>Where a reply goes (RFC 2131 §4.1).</summary>
internal enum ReplyRoute
{
    /// <summary>To the broadcast address, client port: the client has no address yet (or this is a NAK).</summary>
    Broadcast,

    /// <summary>To ciaddr, client port: a renewing or informing client.</summary>
    ClientUnicast,

    /// <summary>To giaddr, server port: a relay agent forwards it.</summary>
    Relay,
}

/// <summary>What the agent does about one request: a reply and where it goes, or silence; plus a report, if any.</summary>
internal readonly record struct DhcpDecision(
    DhcpMessage? Reply,
    ReplyRoute Route,
    IPAddress? RouteAddress,
    int MaxReplyLength,
    SilenceReason Silence,
    DhcpClientReport? Report)
{
    public static DhcpDecision Quiet(SilenceReason reason, DhcpClientReport? report = null) =>
        new(null, ReplyRoute.Broadcast, null, 0, reason, report);
}
