using System.Buffers.Binary;
using System.Net;
using System.Text;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;
using KubeMacPool.Dhcp.Server;

namespace KubeMacPool.Dhcp.Tests.Server;

public sealed class DhcpResponderTests
{
    private static readonly MacAddress KnownMac = MacAddress.Parse("02:00:00:00:00:0a");
    private static readonly IPAddress Reserved = IPAddress.Parse("10.0.0.10");
    private static readonly IPAddress Server = IPAddress.Parse("10.0.0.2");

    private static readonly DhcpNetworkSettings Settings = new()
    {
        ServerAddress = Server,
        SubnetMask = IPAddress.Parse("255.255.255.0"),
        Router = IPAddress.Parse("10.0.0.1"),
        DnsServers = [IPAddress.Parse("10.0.0.53"), IPAddress.Parse("10.0.0.54")],
        DomainName = "pool.example",
        SearchDomains = ["pool.example", "example"],
        NtpServers = [IPAddress.Parse("10.0.0.123")],
        LeaseTime = TimeSpan.FromSeconds(3600),
        InterfaceMtu = 1400,
        ClasslessRoutes = [new ClasslessRoute(IPAddress.Parse("192.168.0.0"), 16, IPAddress.Parse("10.0.0.254"))],
    };

    private static LeaseSnapshot Snapshot(DhcpNetworkSettings? settings = null)
    {
        var book = new DhcpLeaseBook();
        book.Replace(settings ?? Settings, [new DhcpReservation(KnownMac, Reserved, "vm-a"), new DhcpReservation(MacAddress.Parse("02:00:00:00:00:0b"), IPAddress.Parse("10.0.0.11"), null)]);
        return book.Snapshot!;
    }

    private static DhcpMessage Request(DhcpMessageType type, MacAddress? mac = null, IPAddress? requested = null, IPAddress? serverId = null,
        IPAddress? ciaddr = null, IPAddress? giaddr = null, byte[]? parameters = null, params DhcpOption[] extra)
    {
        var chaddr = new byte[16];
        var value = (mac ?? KnownMac).Value;
        for (var i = 0; i < 6; i++)
        {
            chaddr[i] = (byte)(value >> (40 - (8 * i)));
        }

        var options = new List<DhcpOption> { new(DhcpOptionCode.MessageType, new[] { (byte)type }) };
        if (requested is not null)
        {
            options.Add(new(DhcpOptionCode.RequestedIPAddress, requested.GetAddressBytes()));
        }

        if (serverId is not null)
        {
            options.Add(new(DhcpOptionCode.ServerIdentifier, serverId.GetAddressBytes()));
        }

        if (parameters is not null)
        {
            options.Add(new(DhcpOptionCode.ParameterRequestList, parameters));
        }

        options.AddRange(extra);
        return new DhcpMessage
        {
            TransactionId = 0x12345678,
            Flags = DhcpMessage.BroadcastFlag,
            ClientAddress = ciaddr ?? IPAddress.Any,
            RelayAddress = giaddr ?? IPAddress.Any,
            ClientHardwareAddress = chaddr,
            Options = options,
        };
    }

    private static byte[] Option(DhcpMessage message, DhcpOptionCode code) =>
        message.TryGetOption(code, out var data) ? data.ToArray() : throw new Xunit.Sdk.XunitException($"option {(byte)code} missing");

    private static uint UInt32(DhcpMessage message, DhcpOptionCode code) => BinaryPrimitives.ReadUInt32BigEndian(Option(message, code));

    [Fact]
    public void Discover_from_a_known_mac_is_offered_its_reserved_address_with_every_configured_option()
    {
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Discover), Snapshot());

        var offer = Assert.IsType<DhcpMessage>(decision.Reply);
        Assert.Equal(DhcpMessage.BootReply, offer.Operation);
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(0x12345678u, offer.TransactionId);
        Assert.Equal(Reserved, offer.YourAddress);
        Assert.Equal(IPAddress.Any, offer.ClientAddress);
        Assert.Equal(KnownMac, offer.ClientMac);
        Assert.Equal(Server, offer.ServerIdentifier);
        Assert.Equal("255.255.255.0", new IPAddress(Option(offer, DhcpOptionCode.SubnetMask)).ToString());
        Assert.Equal("10.0.0.1", new IPAddress(Option(offer, DhcpOptionCode.Router)).ToString());
        Assert.Equal([10, 0, 0, 53, 10, 0, 0, 54], Option(offer, DhcpOptionCode.DomainNameServer));
        Assert.Equal("pool.example", Encoding.ASCII.GetString(Option(offer, DhcpOptionCode.DomainName)));
        Assert.Equal(["pool.example", "example"], DomainSearchEncoding.Decode(Option(offer, DhcpOptionCode.DomainSearch)));
        Assert.Equal([10, 0, 0, 123], Option(offer, DhcpOptionCode.NtpServers));
        Assert.Equal("vm-a", Encoding.ASCII.GetString(Option(offer, DhcpOptionCode.HostName)));
        Assert.Equal([0x05, 0x78], Option(offer, DhcpOptionCode.InterfaceMtu));
        Assert.Equal(3600u, UInt32(offer, DhcpOptionCode.LeaseTime));
        Assert.Equal(1800u, UInt32(offer, DhcpOptionCode.RenewalTime));
        Assert.Equal(3150u, UInt32(offer, DhcpOptionCode.RebindingTime));
        // RFC 3442: with option 121 the client ignores option 3, so the default route is added to 121.
        Assert.Equal(
            [new ClasslessRoute(IPAddress.Parse("192.168.0.0"), 16, IPAddress.Parse("10.0.0.254")), new ClasslessRoute(IPAddress.Any, 0, IPAddress.Parse("10.0.0.1"))],
            ClasslessRouteEncoding.Decode(Option(offer, DhcpOptionCode.ClasslessStaticRoute)));
        Assert.Equal(ReplyRoute.Broadcast, decision.Route);
        Assert.Null(decision.Report);
    }

    [Fact]
    public void Unconfigured_options_are_not_sent()
    {
        var minimal = new DhcpNetworkSettings { ServerAddress = Server, SubnetMask = IPAddress.Parse("255.255.0.0"), LeaseTime = TimeSpan.FromMinutes(5) };
        var book = new DhcpLeaseBook();
        book.Replace(minimal, [new DhcpReservation(KnownMac, Reserved, null)]);
        var offer = DhcpResponder.Decide(Request(DhcpMessageType.Discover, parameters: [1, 3, 6, 12, 15, 26, 42, 119, 121]), book.Snapshot).Reply!;
        Assert.Equal(
            [DhcpOptionCode.MessageType, DhcpOptionCode.ServerIdentifier, DhcpOptionCode.LeaseTime, DhcpOptionCode.RenewalTime, DhcpOptionCode.RebindingTime, DhcpOptionCode.SubnetMask],
            offer.Options.Select(option => option.Code));
    }

    [Fact]
    public void Requested_options_come_first_in_the_clients_order()
    {
        var offer = DhcpResponder.Decide(Request(DhcpMessageType.Discover, parameters: [119, 6, 3, 99, 1]), Snapshot()).Reply!;
        var codes = offer.Options.Select(option => (byte)option.Code).ToArray();
        var essentials = new byte[] { 53, 54, 51, 58, 59, 1 };
        Assert.Equal(essentials, codes[..6]);
        Assert.Equal(new byte[] { 119, 6, 3 }, codes[6..9]);
        Assert.Equal(new byte[] { 12, 15, 26, 42, 121 }, codes[9..]);
    }

    [Fact]
    public void Unknown_macs_get_silence_for_every_message_type()
    {
        var stranger = MacAddress.Parse("02:ff:ff:ff:ff:ff");
        foreach (var type in Enum.GetValues<DhcpMessageType>())
        {
            var decision = DhcpResponder.Decide(Request(type, stranger, requested: Reserved, serverId: Server), Snapshot());
            Assert.Null(decision.Reply);
            Assert.Null(decision.Report);
            Assert.Equal(SilenceReason.UnknownMac, decision.Silence);
        }
    }

    [Fact]
    public void Nothing_is_answered_before_the_book_is_filled() =>
        Assert.Equal(SilenceReason.NotReady, DhcpResponder.Decide(Request(DhcpMessageType.Discover), null).Silence);

    [Fact]
    public void Replies_plain_bootp_and_non_ethernet_requests_are_ignored()
    {
        Assert.Equal(SilenceReason.NotARequest, DhcpResponder.Decide(Request(DhcpMessageType.Discover) with { Operation = DhcpMessage.BootReply }, Snapshot()).Silence);
        Assert.Equal(SilenceReason.NoMessageType, DhcpResponder.Decide(Request(DhcpMessageType.Discover) with { Options = [] }, Snapshot()).Silence);
        Assert.Equal(SilenceReason.NotEthernet, DhcpResponder.Decide(Request(DhcpMessageType.Discover) with { HardwareType = 6 }, Snapshot()).Silence);
        Assert.Equal(SilenceReason.NotEthernet, DhcpResponder.Decide(Request(DhcpMessageType.Discover) with { HardwareAddressLength = 8 }, Snapshot()).Silence);
        foreach (var type in new[] { DhcpMessageType.Offer, DhcpMessageType.Ack, DhcpMessageType.Nak, (DhcpMessageType)9 })
        {
            Assert.Equal(SilenceReason.UnsupportedMessageType, DhcpResponder.Decide(Request(type), Snapshot()).Silence);
        }
    }

    [Fact]
    public void Selecting_request_for_the_reserved_address_is_acked()
    {
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Request, requested: Reserved, serverId: Server), Snapshot());
        var ack = decision.Reply!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(Reserved, ack.YourAddress);
        Assert.Equal(3600u, UInt32(ack, DhcpOptionCode.LeaseTime));
        Assert.Equal(ReplyRoute.Broadcast, decision.Route);
    }

    [Fact]
    public void Selecting_request_naming_another_server_is_left_to_that_server()
    {
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Request, requested: IPAddress.Parse("10.0.0.99"), serverId: IPAddress.Parse("10.0.0.3")), Snapshot());
        Assert.Null(decision.Reply);
        Assert.Equal(SilenceReason.ForeignServer, decision.Silence);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Request_for_another_address_is_naked_in_selecting_and_init_reboot(bool withServerId)
    {
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Request, requested: IPAddress.Parse("10.0.0.77"), serverId: withServerId ? Server : null), Snapshot());
        var nak = decision.Reply!;
        Assert.Equal(DhcpMessageType.Nak, nak.MessageType);
        Assert.Equal(IPAddress.Any, nak.YourAddress);
        Assert.Equal(Server, nak.ServerIdentifier);
        Assert.False(nak.TryGetOption(DhcpOptionCode.LeaseTime, out _));
        Assert.Contains("10.0.0.77", Encoding.ASCII.GetString(Option(nak, DhcpOptionCode.Message)), StringComparison.Ordinal);
        Assert.Equal(ReplyRoute.Broadcast, decision.Route);
    }

    [Fact]
    public void Init_reboot_request_for_the_reserved_address_is_acked() =>
        Assert.Equal(DhcpMessageType.Ack, DhcpResponder.Decide(Request(DhcpMessageType.Request, requested: Reserved), Snapshot()).Reply!.MessageType);

    [Fact]
    public void Renewing_request_is_acked_by_unicast_to_ciaddr_and_a_stale_ciaddr_is_naked_by_broadcast()
    {
        var renew = DhcpResponder.Decide(Request(DhcpMessageType.Request, ciaddr: Reserved), Snapshot());
        Assert.Equal(DhcpMessageType.Ack, renew.Reply!.MessageType);
        Assert.Equal(Reserved, renew.Reply.ClientAddress);
        Assert.Equal((ReplyRoute.ClientUnicast, Reserved), (renew.Route, renew.RouteAddress));

        var stale = DhcpResponder.Decide(Request(DhcpMessageType.Request, ciaddr: IPAddress.Parse("10.0.0.77")), Snapshot());
        Assert.Equal(DhcpMessageType.Nak, stale.Reply!.MessageType);
        Assert.Equal(ReplyRoute.Broadcast, stale.Route);
    }

    [Fact]
    public void Request_naming_no_address_at_all_is_ignored() =>
        Assert.Equal(SilenceReason.NoAddressInRequest, DhcpResponder.Decide(Request(DhcpMessageType.Request), Snapshot()).Silence);

    [Fact]
    public void Inform_is_acked_with_options_but_no_address_or_lease()
    {
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Inform, ciaddr: Reserved), Snapshot());
        var ack = decision.Reply!;
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(IPAddress.Any, ack.YourAddress);
        Assert.Equal(Reserved, ack.ClientAddress);
        Assert.False(ack.TryGetOption(DhcpOptionCode.LeaseTime, out _));
        Assert.False(ack.TryGetOption(DhcpOptionCode.RenewalTime, out _));
        Assert.True(ack.TryGetOption(DhcpOptionCode.DomainNameServer, out _));
        Assert.Equal((ReplyRoute.ClientUnicast, Reserved), (decision.Route, decision.RouteAddress));
    }

    [Fact]
    public void Decline_is_reported_without_a_reply_and_the_client_keeps_getting_the_same_address()
    {
        var snapshot = Snapshot();
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Decline, requested: Reserved, serverId: Server), snapshot);
        Assert.Null(decision.Reply);
        Assert.Equal(new DhcpClientReport("DECLINE", KnownMac, Reserved), decision.Report);
        Assert.Equal(Reserved, DhcpResponder.Decide(Request(DhcpMessageType.Discover), snapshot).Reply!.YourAddress);
        Assert.Null(DhcpResponder.Decide(Request(DhcpMessageType.Decline, requested: Reserved, serverId: IPAddress.Parse("10.0.0.3")), snapshot).Report);
    }

    [Fact]
    public void Release_is_reported_without_a_reply_and_changes_nothing()
    {
        var snapshot = Snapshot();
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Release, ciaddr: Reserved, serverId: Server), snapshot);
        Assert.Null(decision.Reply);
        Assert.Equal(new DhcpClientReport("RELEASE", KnownMac, Reserved), decision.Report);
        Assert.Equal(Reserved, DhcpResponder.Decide(Request(DhcpMessageType.Discover), snapshot).Reply!.YourAddress);
        Assert.Equal(IPAddress.Parse("10.0.0.11"), DhcpResponder.Decide(Request(DhcpMessageType.Discover, MacAddress.Parse("02:00:00:00:00:0b")), snapshot).Reply!.YourAddress);
    }

    [Fact]
    public void Relayed_requests_are_answered_to_the_relay_with_option_82_echoed_last()
    {
        var relay = IPAddress.Parse("10.1.0.1");
        var circuit = new DhcpOption(DhcpOptionCode.RelayAgentInformation, new byte[] { 1, 2, 0, 7 });
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Discover, giaddr: relay, extra: circuit) with { Flags = 0 }, Snapshot());
        Assert.Equal((ReplyRoute.Relay, relay), (decision.Route, decision.RouteAddress));
        Assert.Equal(relay, decision.Reply!.RelayAddress);
        Assert.Equal(DhcpOptionCode.RelayAgentInformation, decision.Reply.Options[^1].Code);

        var nak = DhcpResponder.Decide(Request(DhcpMessageType.Request, requested: IPAddress.Parse("10.0.0.77"), giaddr: relay) with { Flags = 0 }, Snapshot());
        Assert.True(nak.Reply!.IsBroadcast);
        Assert.Equal(ReplyRoute.Relay, nak.Route);
    }

    [Fact]
    public void The_client_identifier_is_echoed()
    {
        byte[] id = [1, 2, 0, 0, 0, 0, 10];
        var offer = DhcpResponder.Decide(Request(DhcpMessageType.Discover, extra: new DhcpOption(DhcpOptionCode.ClientIdentifier, id)), Snapshot()).Reply!;
        Assert.Equal(id, Option(offer, DhcpOptionCode.ClientIdentifier));
    }

    [Theory]
    [InlineData(null, 548)]
    [InlineData(300, 548)]
    [InlineData(1000, 972)]
    [InlineData(9000, 1472)]
    public void The_reply_fits_the_clients_max_message_size(int? maxMessageSize, int expected)
    {
        var extra = maxMessageSize is { } size
            ? [new DhcpOption(DhcpOptionCode.MaxMessageSize, new[] { (byte)(size >> 8), (byte)size })]
            : Array.Empty<DhcpOption>();
        var many = Settings with { DnsServers = [.. Enumerable.Range(1, 100).Select(i => IPAddress.Parse($"10.9.{i}.1"))] };
        var decision = DhcpResponder.Decide(Request(DhcpMessageType.Discover, extra: extra), Snapshot(many));
        Assert.Equal(expected, decision.MaxReplyLength);
        var buffer = new byte[1500];
        var length = DhcpEncoder.Encode(decision.Reply!, buffer, decision.MaxReplyLength, out var dropped);
        Assert.True(length <= expected);
        Assert.Equal(expected < 700 ? 1 : 0, dropped); // 400 bytes of DNS servers fit only the larger replies
        var sent = DhcpDecoder.Decode(buffer.AsSpan(0, length)).Message!;
        Assert.Equal(Reserved, sent.YourAddress);
        Assert.Equal(Server, sent.ServerIdentifier);
        Assert.True(sent.TryGetOption(DhcpOptionCode.SubnetMask, out _));
    }

    [Fact]
    public void An_infinite_lease_sends_all_ones_and_no_renewal_times()
    {
        var offer = DhcpResponder.Decide(Request(DhcpMessageType.Discover), Snapshot(Settings with { LeaseTime = Timeout.InfiniteTimeSpan })).Reply!;
        Assert.Equal(uint.MaxValue, UInt32(offer, DhcpOptionCode.LeaseTime));
        Assert.False(offer.TryGetOption(DhcpOptionCode.RenewalTime, out _));
        Assert.False(offer.TryGetOption(DhcpOptionCode.RebindingTime, out _));
    }

    [Fact]
    public void A_pool_update_reaches_the_next_reply()
    {
        var book = new DhcpLeaseBook();
        book.Replace(Settings, [new DhcpReservation(KnownMac, Reserved, null)]);
        Assert.Equal([10, 0, 0, 53, 10, 0, 0, 54], Option(DhcpResponder.Decide(Request(DhcpMessageType.Discover), book.Snapshot).Reply!, DhcpOptionCode.DomainNameServer));
        book.Replace(Settings with { DnsServers = [IPAddress.Parse("10.0.0.99")] }, [new DhcpReservation(KnownMac, IPAddress.Parse("10.0.0.20"), null)]);
        var offer = DhcpResponder.Decide(Request(DhcpMessageType.Discover), book.Snapshot).Reply!;
        Assert.Equal([10, 0, 0, 99], Option(offer, DhcpOptionCode.DomainNameServer));
        Assert.Equal(IPAddress.Parse("10.0.0.20"), offer.YourAddress);
    }
}
