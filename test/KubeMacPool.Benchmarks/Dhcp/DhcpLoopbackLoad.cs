using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KubeMacPool.Dhcp.Protocol;
using KubeMacPool.Dhcp.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMacPool.Benchmarks.Dhcp;

/// <summary>
/// The real agent (socket, decode, decide, encode, send) on 127.0.0.1:10067; a client socket on 127.0.0.1:10068 plays
/// many clients. Phase 1: one exchange at a time (latency). Phase 2: a window of requests in flight (throughput).
/// Every reply is decoded and checked: right transaction, right message type, the reserved address.
/// </summary>
internal static class DhcpLoopbackLoad
{
    private const int Reservations = 10_000;
    private const int ServerPort = 10067;
    private const int ClientPort = 10068;

    public static async Task RunAsync(TimeSpan phase)
    {
        var book = DhcpBenchData.Book(Reservations);
        var options = new DhcpServerOptions
        {
            ListenAddress = IPAddress.Loopback,
            ServerPort = ServerPort,
            ClientPort = ClientPort,
            BroadcastAddress = IPAddress.Loopback,
        };
        using var stop = new CancellationTokenSource();
        var server = new DhcpServer(book, options, TimeProvider.System, NullLogger<DhcpServer>.Instance);
        await using (server.ConfigureAwait(false))
        {
            var run = server.RunAsync(stop.Token);
            await server.Listening.ConfigureAwait(false);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.ReceiveBufferSize = 4 << 20;
            client.Bind(new IPEndPoint(IPAddress.Loopback, ClientPort));
            var target = new IPEndPoint(IPAddress.Loopback, ServerPort);

            // Pre-encoded: discover and request for every reserved client; xid = index*2 (+1 for the request).
            var packets = Enumerable.Range(0, Reservations)
                .SelectMany(i => new[]
                {
                    DhcpEncoder.Encode(DhcpBenchData.Request(i, DhcpMessageType.Discover, (uint)(i * 2))),
                    DhcpEncoder.Encode(DhcpBenchData.Request(i, DhcpMessageType.Request, (uint)((i * 2) + 1))),
                })
                .ToArray();

            await SequentialAsync(client, target, packets, TimeSpan.FromSeconds(1), report: false).ConfigureAwait(false); // warm-up
            await SequentialAsync(client, target, packets, phase, report: true).ConfigureAwait(false);
            foreach (var window in new[] { 16, 64 })
            {
                await PipelinedAsync(client, target, packets, window, phase).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
    }

    private static async Task SequentialAsync(Socket client, EndPoint target, byte[][] packets, TimeSpan duration, bool report)
    {
        var buffer = new byte[1500];
        var latencies = new List<double>();
        var wrong = 0;
        var clock = Stopwatch.StartNew();
        var exchanges = 0;
        while (clock.Elapsed < duration)
        {
            var index = exchanges % packets.Length;
            var started = Stopwatch.GetTimestamp();
            await client.SendToAsync(packets[index], target).ConfigureAwait(false);
            var received = await client.ReceiveAsync(buffer).ConfigureAwait(false);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            wrong += Check(buffer.AsSpan(0, received), (uint)index) ? 0 : 1;
            exchanges++;
        }

        if (!report)
        {
            return;
        }

        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sequential: {exchanges / clock.Elapsed.TotalSeconds:N0} replies/s ({exchanges / 2 / clock.Elapsed.TotalSeconds:N0} DISCOVER→OFFER + REQUEST→ACK pairs/s); round trip p50 {latencies[latencies.Count / 2]:N0} µs, p99 {latencies[latencies.Count * 99 / 100]:N0} µs; wrong replies {wrong}"));
    }

    private static async Task PipelinedAsync(Socket client, EndPoint target, byte[][] packets, int window, TimeSpan duration)
    {
        var buffer = new byte[1500];
        var sent = 0;
        var replies = 0;
        var wrong = 0;
        var lost = 0;
        var clock = Stopwatch.StartNew();
        for (; sent < window; sent++)
        {
            await client.SendToAsync(packets[sent % packets.Length], target).ConfigureAwait(false);
        }

        while (clock.Elapsed < duration)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            int received;
            try
            {
                received = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Datagrams dropped somewhere: refill the window.
                lost += window - (sent - replies - lost);
                continue;
            }

            replies++;
            var xid = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4));
            wrong += Check(buffer.AsSpan(0, received), xid) ? 0 : 1;
            await client.SendToAsync(packets[sent % packets.Length], target).ConfigureAwait(false);
            sent++;
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        // Drain what is still in flight so the next phase starts clean.
        using (var drain = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            try
            {
                while (true)
                {
                    await client.ReceiveAsync(buffer, SocketFlags.None, drain.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pipelined, {window} in flight: {replies / elapsed:N0} replies/s; wrong replies {wrong}, lost {lost}"));
    }

    /// <summary>An OFFER for even xids (discover), an ACK for odd ones, always with the client's reserved address.</summary>
    private static bool Check(ReadOnlySpan<byte> datagram, uint xid)
    {
        var decoded = DhcpDecoder.Decode(datagram);
        if (!decoded.Succeeded || decoded.Message.TransactionId != xid % (Reservations * 2))
        {
            return false;
        }

        var client = (int)(xid % (Reservations * 2) / 2);
        var expected = xid % 2 == 0 ? DhcpMessageType.Offer : DhcpMessageType.Ack;
        return decoded.Message.MessageType == expected && decoded.Message.YourAddress.Equals(DhcpBenchData.Address(client));
    }
}
