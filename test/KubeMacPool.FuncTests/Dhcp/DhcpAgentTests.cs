using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Protocol;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>
/// The <c>dhcp-agent</c> mode end to end on loopback: it loads its pool and the reservations from the API server,
/// offers exactly the reserved address and the pool's options to the VM's MAC, stays silent for other MACs, and
/// follows pool edits live. (Real DHCP clients in network namespaces are the DHCP project's tests.)
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class DhcpAgentTests(ClusterFixture cluster, DhcpServiceFixture fixture)
    : IClassFixture<DhcpServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task The_agent_offers_the_reserved_address_with_the_pool_options_and_follows_pool_edits()
    {
        Assert.NotNull(fixture.Service);
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        var pool = TestCluster.UniqueName("pool");
        var body = DhcpObjects.Pool(pool, ns + "/pooled", "10.60.0.0/24", "10.60.0.1", "10.60.0.254");
        body["spec"]!["dns"] = new JsonArray("192.0.2.53");
        body["spec"]!["domainName"] = "example.test";
        await _k.CreatePoolAsync(body);
        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("guest", ("pooled", "02:00:00:6A:00:01")));
        var reservation = await _k.AllocatedReservationAsync(ns, "guest.pooled");
        var reserved = IPAddress.Parse(DhcpObjects.Address(reservation)!);
        Assert.Equal("02:00:00:6A:00:01", Vms.Macs(vm)[0], StringComparer.OrdinalIgnoreCase);

        await using var agent = await DhcpAgentProcess.StartAsync(cluster, pool);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, agent.ClientPort));

        var offer = await Eventually.ValueAsync(
            () => DiscoverAsync(client, agent.ServerPort, MacAddress.Parse("02:00:00:6a:00:01")),
            o => o is not null,
            "an OFFER for the VM's MAC",
            describe: _ => agent.LogTail());
        Assert.Equal(DhcpMessageType.Offer, offer!.MessageType);
        Assert.Equal(reserved, offer.YourAddress);
        Assert.Equal(IPAddress.Parse("10.60.0.1"), offer.ServerIdentifier);
        Assert.Equal([IPAddress.Parse("192.0.2.53")], Addresses(offer, DhcpOptionCode.DomainNameServer));
        Assert.Equal([IPAddress.Parse("10.60.0.254")], Addresses(offer, DhcpOptionCode.Router));
        Assert.Equal([IPAddress.Parse("255.255.255.0")], Addresses(offer, DhcpOptionCode.SubnetMask));
        Assert.True(offer.TryGetOption(DhcpOptionCode.HostName, out var hostName));
        Assert.Equal("guest", System.Text.Encoding.ASCII.GetString(hostName.Span));

        Assert.Null(await DiscoverAsync(client, agent.ServerPort, MacAddress.Parse("02:00:00:6a:00:99")));

        await _k.PatchPoolAsync(pool, new JsonObject { ["spec"] = new JsonObject { ["dns"] = new JsonArray("192.0.2.54") } });
        await Eventually.TrueAsync(
            async () => await DiscoverAsync(client, agent.ServerPort, MacAddress.Parse("02:00:00:6a:00:01")) is { } o
                && Addresses(o, DhcpOptionCode.DomainNameServer).SequenceEqual([IPAddress.Parse("192.0.2.54")]),
            "the next OFFER carries the new DNS server");

        // Deleting the VM stops the agent from answering for its MAC.
        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachines, ns, "guest");
        await Eventually.TrueAsync(
            async () => await DiscoverAsync(client, agent.ServerPort, MacAddress.Parse("02:00:00:6a:00:01")) is null,
            "no OFFER once the VM is gone");
    }

    private static async Task<DhcpMessage?> DiscoverAsync(UdpClient client, int serverPort, MacAddress mac)
    {
        var chaddr = new byte[16];
        for (var i = 0; i < 6; i++)
        {
            chaddr[i] = (byte)(mac.Value >> (40 - (8 * i)));
        }

        var xid = (uint)Random.Shared.Next();
        var discover = new DhcpMessage
        {
            TransactionId = xid,
            Flags = DhcpMessage.BroadcastFlag,
            ClientHardwareAddress = chaddr,
            Options = [new DhcpOption(DhcpOptionCode.MessageType, new[] { (byte)DhcpMessageType.Discover })],
        };
        await client.SendAsync(DhcpEncoder.Encode(discover), new IPEndPoint(IPAddress.Loopback, serverPort));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            while (true)
            {
                var received = await client.ReceiveAsync(timeout.Token);
                var decoded = DhcpDecoder.Decode(received.Buffer);
                if (decoded.Message is { } reply && reply.TransactionId == xid)
                {
                    return reply;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static List<IPAddress> Addresses(DhcpMessage message, DhcpOptionCode code)
    {
        if (!message.TryGetOption(code, out var data))
        {
            return [];
        }

        var result = new List<IPAddress>();
        for (var i = 0; i + 4 <= data.Length; i += 4)
        {
            result.Add(new IPAddress(data.Span.Slice(i, 4)));
        }

        return result;
    }
}
