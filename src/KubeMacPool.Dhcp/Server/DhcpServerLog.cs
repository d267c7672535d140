using System.Net;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Protocol;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.Dhcp.Server;

/// <summary>The agent's log events: ids 1100–1119.</summary>
internal static partial class DhcpServerLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "DHCP agent listening on {Address}:{Port}, interface {Interface}")]
    public static partial void Listening(ILogger logger, IPAddress address, int port, string @interface);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Dropped a malformed DHCP packet from {Source}: {Error} ({Detail})")]
    public static partial void Malformed(ILogger logger, EndPoint source, DhcpDecodeError error, string? detail);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "{Reply} for {Request} from {Mac}: address {Address}, sent to {Destination}")]
    public static partial void Replied(ILogger logger, DhcpMessageType reply, DhcpMessageType request, MacAddress mac, IPAddress address, EndPoint destination);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "No reply to {Request} from {Mac}: {Reason}")]
    public static partial void Silent(ILogger logger, DhcpMessageType? request, MacAddress? mac, SilenceReason reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Client {Mac} declined {Address}: another host may be using it")]
    public static partial void Declined(ILogger logger, MacAddress mac, IPAddress? address);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Client {Mac} released {Address}; its reservation stays")]
    public static partial void Released(ILogger logger, MacAddress mac, IPAddress? address);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Could not send a DHCP reply to {Destination}")]
    public static partial void SendFailed(ILogger logger, Exception exception, EndPoint destination);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Receiving a DHCP packet failed")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Error, Message = "Handling a DHCP packet from {Source} failed; the packet is dropped")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, EndPoint source);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "{Count} options did not fit the {MaxLength}-byte reply to {Mac} and were left out")]
    public static partial void OptionsDropped(ILogger logger, int count, int maxLength, MacAddress mac);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "DHCP agent stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "The client report callback failed for {Report}")]
    public static partial void ReportFailed(ILogger logger, Exception exception, DhcpClientReport report);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Debug, Message = "Dropped a malformed DHCP packet from {Source}: {Error} ({Detail}); {Suppressed} such warnings suppressed this second")]
    public static partial void MalformedSuppressed(ILogger logger, EndPoint source, DhcpDecodeError error, string? detail, int suppressed);
}
