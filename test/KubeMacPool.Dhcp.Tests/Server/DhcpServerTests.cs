using System.Net;
using System.Net.Sockets;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;
using KubeMacPool.Dhcp.Server;
using KubeMacPool.Dhcp.Tests.Clients;

namespace KubeMacPool.Dhcp.Tests.Server;

/// <summary>The server loop on loopback (no root needed): garbage is dropped and logged, the next good packet is answered.</summary>
public sealed class DhcpServerTests
{
    private static readonly MacAddress Mac = MacAddress.Parse("02:00:00:00:00:0a");

    private static byte[] Discover(uint xid) => DhcpEncoder.Encode(new DhcpMessage
    {
        TransactionId = xid,
        ClientHardwareAddress = new byte[] { 2, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
        Options = [new DhcpOption(DhcpOptionCode.MessageType, new[] { (byte)DhcpMessageType.Discover })],
    });

    [Fact]
    public async Task Malformed_packets_are_logged_and_dropped_and_the_server_keeps_answering()
    {
        var book = new DhcpLeaseBook();
        var logger = new RecordingLogger<DhcpServer>();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        var options = new DhcpServerOptions { ListenAddress = IPAddress.Loopback, ServerPort = 0, ClientPort = clientPort, BroadcastAddress = IPAddress.Loopback };
        await using var server = new DhcpServer(book, options, TimeProvider.System, logger);
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        var serverEndPoint = await server.Listening.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var buffer = new byte[1500];

        // Before the book is filled the agent is silent even for a valid request.
        await client.SendToAsync(Discover(1), serverEndPoint, TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!logger.Messages(1103).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        book.Replace(
            new DhcpNetworkSettings { ServerAddress = IPAddress.Loopback, SubnetMask = IPAddress.Parse("255.0.0.0"), LeaseTime = TimeSpan.FromHours(1) },
            [new DhcpReservation(Mac, IPAddress.Parse("127.0.0.10"), null)]);
        await client.SendToAsync(new byte[] { 1, 2, 3 }, serverEndPoint, TestContext.Current.CancellationToken);
        await client.SendToAsync(new byte[400], serverEndPoint, TestContext.Current.CancellationToken);
        await client.SendToAsync(Discover(2), serverEndPoint, TestContext.Current.CancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        var offer = DhcpDecoder.Decode(buffer.AsSpan(0, received)).Message!;
        Assert.Equal(2u, offer.TransactionId); // the one sent before the book was ready got no reply
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(IPAddress.Parse("127.0.0.10"), offer.YourAddress);
        Assert.Contains(logger.Entries, entry => entry.EventId == 1101 && entry.Message.Contains("Truncated", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, entry => entry.EventId is 1101 or 1112 && entry.Message.Contains("BadHeader", StringComparison.Ordinal));
        Assert.Contains(logger.Messages(1103), message => message.Contains("NotReady", StringComparison.Ordinal));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Contains(logger.Entries, entry => entry.EventId == 1110);
    }

    [Fact]
    public async Task A_port_that_cannot_be_bound_faults_listening_and_run()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var taken = ((IPEndPoint)holder.LocalEndPoint!).Port;
        await using var server = new DhcpServer(new DhcpLeaseBook(), new DhcpServerOptions { ListenAddress = IPAddress.Loopback, ServerPort = taken }, TimeProvider.System, new RecordingLogger<DhcpServer>());
        await Assert.ThrowsAsync<SocketException>(() => server.RunAsync(TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<SocketException>(() => server.Listening);
    }

    [Fact]
    public void Options_are_validated_at_construction()
    {
        var logger = new RecordingLogger<DhcpServer>();
        Assert.Throws<ArgumentException>(() => new DhcpServer(new DhcpLeaseBook(), new DhcpServerOptions { ServerPort = 70000 }, TimeProvider.System, logger));
        Assert.Throws<ArgumentException>(() => new DhcpServer(new DhcpLeaseBook(), new DhcpServerOptions { ListenAddress = IPAddress.IPv6Any }, TimeProvider.System, logger));
    }
}
