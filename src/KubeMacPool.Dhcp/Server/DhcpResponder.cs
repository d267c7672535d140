using System.Net;
using System.Text;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Dhcp.Server;

/// <summary>
/// The agent's protocol decisions, pure: a request and the pool snapshot in, a reply or silence out. Fixed leases
/// only: a known MAC always gets its reserved address; an unknown one is left to other servers on the segment.
/// </summary>
internal static class DhcpResponder
{
    /// <summary>RFC 2131 §2: every client accepts 576-byte IP datagrams; 28 bytes go to the IP and UDP headers.</summary>
    public const int MinimumMaxMessageSize = 576;
    public const int IpUdpHeaders = 28;

    /// <summary>An Ethernet frame's payload; replies never need fragmenting.</summary>
    public const int MaximumMaxMessageSize = 1500;

    public static DhcpDecision Decide(DhcpMessage request, LeaseSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return DhcpDecision.Quiet(SilenceReason.NotReady);
        }

        if (request.Operation != DhcpMessage.BootRequest)
        {
            return DhcpDecision.Quiet(SilenceReason.NotARequest);
        }

        if (request.MessageType is not { } type)
        {
            return DhcpDecision.Quiet(SilenceReason.NoMessageType); // plain BOOTP is not served
        }

        if (request.ClientMac is not { } mac)
        {
            return DhcpDecision.Quiet(SilenceReason.NotEthernet);
        }

        if (!snapshot.ByMac.TryGetValue(mac, out var reservation))
        {
            return DhcpDecision.Quiet(SilenceReason.UnknownMac);
        }

        var serverId = request.ServerIdentifier;
        var ours = serverId is null || IPv4.ToUInt32(serverId) == snapshot.ServerAddress;
        switch (type)
        {
            case DhcpMessageType.Discover:
                return Reply(request, snapshot, reservation, DhcpMessageType.Offer);

            case DhcpMessageType.Request:
                if (!ours)
                {
                    return DhcpDecision.Quiet(SilenceReason.ForeignServer); // the client chose another server's offer
                }

                // SELECTING and INIT-REBOOT name the address in option 50; RENEWING and REBINDING in ciaddr.
                var asked = request.RequestedAddress ?? NonZero(request.ClientAddress);
                if (asked is null)
                {
                    return DhcpDecision.Quiet(SilenceReason.NoAddressInRequest);
                }

                return asked.Equals(reservation.Address)
                    ? Reply(request, snapshot, reservation, DhcpMessageType.Ack)
                    : Nak(request, snapshot, asked, reservation);

            case DhcpMessageType.Inform:
                return Reply(request, snapshot, reservation, DhcpMessageType.Ack, inform: true);

            case DhcpMessageType.Decline:
                // The reserved address answers ARP elsewhere: a conflict for a human, never a reason to hand
                // this MAC a different address or the address to another MAC.
                return ours
                    ? DhcpDecision.Quiet(SilenceReason.NoReplyExpected, new DhcpClientReport("DECLINE", mac, request.RequestedAddress ?? reservation.Address))
                    : DhcpDecision.Quiet(SilenceReason.ForeignServer);

            case DhcpMessageType.Release:
                return ours
                    ? DhcpDecision.Quiet(SilenceReason.NoReplyExpected, new DhcpClientReport("RELEASE", mac, NonZero(request.ClientAddress) ?? reservation.Address))
                    : DhcpDecision.Quiet(SilenceReason.ForeignServer);

            default:
                return DhcpDecision.Quiet(SilenceReason.UnsupportedMessageType);
        }
    }

    private static DhcpDecision Reply(DhcpMessage request, LeaseSnapshot snapshot, DhcpReservation reservation, DhcpMessageType type, bool inform = false)
    {
        var pool = snapshot.Options;
        var options = new List<DhcpOption>(16)
        {
            MessageTypeOption(type),
            pool.ServerIdentifier,
        };
        EchoClientIdentifier(request, options);
        if (!inform)
        {
            options.Add(pool.LeaseTime);
            if (pool.RenewalTime is { } t1)
            {
                options.Add(t1);
            }

            if (pool.RebindingTime is { } t2)
            {
                options.Add(t2);
            }
        }

        options.Add(pool.SubnetMask);
        AddOptional(request.ParameterRequestList.Span, pool.Optional, reservation.HostName, options);
        EchoRelayAgentInformation(request, options);

        var reply = BaseReply(request) with
        {
            // An INFORM client keeps its own address; RFC 2131 table 3 leaves yiaddr zero and echoes ciaddr.
            ClientAddress = type == DhcpMessageType.Ack ? request.ClientAddress : IPAddress.Any,
            YourAddress = inform ? IPAddress.Any : reservation.Address,
            Options = options,
        };
        var (route, address) = RouteFor(request, nak: false);
        return new DhcpDecision(reply, route, address, MaxReplyLength(request), SilenceReason.None, null);
    }

    private static DhcpDecision Nak(DhcpMessage request, LeaseSnapshot snapshot, IPAddress asked, DhcpReservation reservation)
    {
        var options = new List<DhcpOption>(4)
        {
            MessageTypeOption(DhcpMessageType.Nak),
            snapshot.Options.ServerIdentifier,
        };
        EchoClientIdentifier(request, options);
        options.Add(new DhcpOption(DhcpOptionCode.Message, Encoding.ASCII.GetBytes($"{asked} is not reserved for this client; {reservation.Address} is")));
        EchoRelayAgentInformation(request, options);
        var reply = BaseReply(request) with
        {
            // RFC 2131 §4.3.2: a relayed NAK asks the relay to broadcast it.
            Flags = NonZero(request.RelayAddress) is null ? request.Flags : (ushort)(request.Flags | DhcpMessage.BroadcastFlag),
            Options = options,
        };
        var (route, address) = RouteFor(request, nak: true);
        return new DhcpDecision(reply, route, address, MaxReplyLength(request), SilenceReason.None, null);
    }

    private static DhcpMessage BaseReply(DhcpMessage request) => new()
    {
        Operation = DhcpMessage.BootReply,
        HardwareType = request.HardwareType,
        HardwareAddressLength = request.HardwareAddressLength,
        TransactionId = request.TransactionId,
        Flags = request.Flags,
        RelayAddress = request.RelayAddress,
        ClientHardwareAddress = request.ClientHardwareAddress,
    };

    /// <summary>Configured options: first those the client asked for, in its order, then the rest by code.</summary>
    private static void AddOptional(ReadOnlySpan<byte> requested, DhcpOption[] optional, string? hostName, List<DhcpOption> options)
    {
        var candidates = string.IsNullOrEmpty(hostName)
            ? optional
            : [.. optional.Append(new DhcpOption(DhcpOptionCode.HostName, Encoding.ASCII.GetBytes(hostName))).OrderBy(option => option.Code)];
        Span<bool> added = stackalloc bool[256];
        foreach (var code in requested)
        {
            foreach (var option in candidates)
            {
                if ((byte)option.Code == code && !added[code])
                {
                    options.Add(option);
                    added[code] = true;
                    break;
                }
            }
        }

        foreach (var option in candidates)
        {
            if (!added[(byte)option.Code])
            {
                options.Add(option);
            }
        }
    }

    // RFC 6842: replies carry the client identifier the client sent.
    private static void EchoClientIdentifier(DhcpMessage request, List<DhcpOption> options)
    {
        if (request.TryGetOption(DhcpOptionCode.ClientIdentifier, out var clientId))
        {
            options.Add(new DhcpOption(DhcpOptionCode.ClientIdentifier, clientId));
        }
    }

    // RFC 3046 §2.2: a relayed reply carries the relay's option 82 back, last.
    private static void EchoRelayAgentInformation(DhcpMessage request, List<DhcpOption> options)
    {
        if (NonZero(request.RelayAddress) is not null && request.TryGetOption(DhcpOptionCode.RelayAgentInformation, out var relayInfo))
        {
            options.Add(new DhcpOption(DhcpOptionCode.RelayAgentInformation, relayInfo));
        }
    }

    private static (ReplyRoute Route, IPAddress? Address) RouteFor(DhcpMessage request, bool nak)
    {
        if (NonZero(request.RelayAddress) is { } relay)
        {
            return (ReplyRoute.Relay, relay);
        }

        if (!nak && NonZero(request.ClientAddress) is { } client)
        {
            return (ReplyRoute.ClientUnicast, client);
        }

        // Without a relay or a configured client address, a unicast to yiaddr would need an ARP entry the kernel
        // cannot make (the client does not own the address yet), so the reply is broadcast whatever the flag says.
        return (ReplyRoute.Broadcast, null);
    }

    private static int MaxReplyLength(DhcpMessage request) =>
        Math.Clamp(request.MaxMessageSize ?? MinimumMaxMessageSize, MinimumMaxMessageSize, MaximumMaxMessageSize) - IpUdpHeaders;

    private static readonly DhcpOption[] MessageTypeOptions =
        [.. Enumerable.Range(0, 9).Select(value => new DhcpOption(DhcpOptionCode.MessageType, new[] { (byte)value }))];

    private static DhcpOption MessageTypeOption(DhcpMessageType type) => MessageTypeOptions[(int)type];

    private static IPAddress? NonZero(IPAddress address) => IPv4.ToUInt32(address) == 0 ? null : address;
}
