using System.Buffers.Binary;
using System.Net;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;
using KubeMacPool.Dhcp.Server;

namespace KubeMacPool.Dhcp.Tests.Protocol;

/// <summary>Random and mutated datagrams through decode, decide and encode: nothing may throw.</summary>
public sealed class DhcpFuzzTests
{
    private const int Packets = 120_000;

    [Fact]
    public void Random_and_mutated_packets_never_throw()
    {
        var book = new DhcpLeaseBook();
        var mac = MacAddress.Parse("02:00:00:00:00:01");
        book.Replace(
            new DhcpNetworkSettings
            {
                ServerAddress = IPAddress.Parse("10.0.0.2"),
                SubnetMask = IPAddress.Parse("255.255.255.0"),
                Router = IPAddress.Parse("10.0.0.1"),
                DnsServers = [IPAddress.Parse("10.0.0.53")],
                SearchDomains = ["example.com"],
                LeaseTime = TimeSpan.FromHours(1),
            },
            [new DhcpReservation(mac, IPAddress.Parse("10.0.0.10"), "vm")]);
        var seed = Environment.GetEnvironmentVariable("DHCP_FUZZ_SEED") is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 20261123;
        var random = new Random(seed);
        var template = DhcpEncoder.Encode(new DhcpMessage
        {
            ClientHardwareAddress = new byte[] { 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
            Options = [new DhcpOption(DhcpOptionCode.MessageType, new byte[] { 1 }), new DhcpOption(DhcpOptionCode.ParameterRequestList, new byte[] { 1, 3, 6 })],
        });
        var reply = new byte[1500];
        int decodedCount = 0, replies = 0;
        for (var i = 0; i < Packets; i++)
        {
            var packet = (i % 3) switch
            {
                0 => RandomBytes(random, random.Next(0, 700)),
                1 => WithRandomOptions(random, template),
                _ => Mutate(random, template),
            };
            var decoded = DhcpDecoder.Decode(packet);
            if (!decoded.Succeeded)
            {
                Assert.NotEqual(DhcpDecodeError.None, decoded.Error);
                continue;
            }

            decodedCount++;
            var decision = DhcpResponder.Decide(decoded.Message, book.Snapshot);
            if (decision.Reply is { } message)
            {
                replies++;
                var length = DhcpEncoder.Encode(message, reply, decision.MaxReplyLength, out _);
                Assert.True(DhcpDecoder.Decode(reply.AsSpan(0, length)).Succeeded);
            }
        }

        // The generator must reach the interesting paths, or the run proves little.
        Assert.True(decodedCount > Packets / 10, $"only {decodedCount} packets decoded (seed {seed})");
        Assert.True(replies > Packets / 100, $"only {replies} replies of {decodedCount} decoded (seed {seed})");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A valid header, then random option TLVs whose lengths may lie, with random overload values.</summary>
    private static byte[] WithRandomOptions(Random random, byte[] template)
    {
        var bytes = template[..DhcpDecoder.OptionsOffset].Concat(new byte[random.Next(3, 400)]).ToArray();
        var position = DhcpDecoder.OptionsOffset;
        bytes[position++] = 53;
        if (position + 2 < bytes.Length)
        {
            bytes[position++] = 1;
            bytes[position++] = (byte)random.Next(0, 10);
        }

        while (position < bytes.Length - 2)
        {
            var code = (byte)random.Next(0, 256);
            var length = random.Next(0, 10) == 0 ? random.Next(0, 256) : random.Next(0, 8);
            bytes[position++] = code;
            bytes[position++] = (byte)length;
            for (var k = 0; k < length && position < bytes.Length; k++)
            {
                bytes[position++] = (byte)random.Next(0, 256);
            }
        }

        if (random.Next(0, 4) == 0)
        {
            random.NextBytes(bytes.AsSpan(44, 192)); // file and sname as garbage "options"
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] template)
    {
        var bytes = (byte[])template.Clone();
        var flips = random.Next(1, 12);
        for (var k = 0; k < flips; k++)
        {
            // Most of the mutations land where the parser makes decisions: header fields, cookie, options.
            var index = random.Next(0, 3) == 0 ? random.Next(0, bytes.Length) : DhcpDecoder.HeaderLength + random.Next(0, 20);
            bytes[index] = (byte)random.Next(0, 256);
        }

        if (random.Next(0, 5) == 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(DhcpDecoder.OptionsOffset + 3), (ushort)random.Next());
        }

        return random.Next(0, 6) == 0 ? bytes[..random.Next(0, bytes.Length)] : bytes;
    }
}
