using System.Net;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Benchmarks.Dhcp;

/// <summary>A /16 pool with reservations and the requests a Linux client sends for them.</summary>
internal static class DhcpBenchData
{
    public static readonly IPAddress Server = IPAddress.Parse("10.0.0.2");

    public static MacAddress Mac(int i) => new(0x02_00_00_00_00_00UL + (ulong)i + 1);

    public static IPAddress Address(int i) => IPAddress.Parse($"10.0.{(i + 10) / 250}.{((i + 10) % 250) + 1}");

    public static DhcpNetworkSettings Settings => new()
    {
        ServerAddress = Server,
        SubnetMask = IPAddress.Parse("255.255.0.0"),
        Router = IPAddress.Parse("10.0.0.1"),
        DnsServers = [IPAddress.Parse("10.0.0.53"), IPAddress.Parse("10.0.0.54")],
        DomainName = "pool.example",
        SearchDomains = ["pool.example", "corp.example"],
        NtpServers = [IPAddress.Parse("10.0.0.123")],
        LeaseTime = TimeSpan.FromHours(1),
        InterfaceMtu = 1450,
    };

    public static DhcpLeaseBook Book(int reservations)
    {
        var book = new DhcpLeaseBook();
        book.Replace(Settings, Enumerable.Range(0, reservations).Select(i => new DhcpReservation(Mac(i), Address(i), $"vm-{i}")));
        return book;
    }

    /// <summary>What udhcpc/dhclient send: message type, client id, max size, requested address, parameter list, host name.</summary>
    public static DhcpMessage Request(int i, DhcpMessageType type, uint xid)
    {
        var chaddr = new byte[16];
        var mac = Mac(i).Value;
        for (var k = 0; k < 6; k++)
        {
            chaddr[k] = (byte)(mac >> (40 - (8 * k)));
        }

        var options = new List<DhcpOption>
        {
            new(DhcpOptionCode.MessageType, new[] { (byte)type }),
            new(DhcpOptionCode.ClientIdentifier, (byte[])[1, .. chaddr[..6]]),
            new(DhcpOptionCode.MaxMessageSize, new byte[] { 0x05, 0xDC }),
        };
        if (type == DhcpMessageType.Request)
        {
            options.Add(new(DhcpOptionCode.RequestedIPAddress, Address(i).GetAddressBytes()));
            options.Add(new(DhcpOptionCode.ServerIdentifier, Server.GetAddressBytes()));
        }

        options.Add(new(DhcpOptionCode.ParameterRequestList, new byte[] { 1, 3, 6, 12, 15, 26, 28, 42, 119, 121 }));
        options.Add(new(DhcpOptionCode.HostName, "guest"u8.ToArray()));
        return new DhcpMessage { TransactionId = xid, Flags = DhcpMessage.BroadcastFlag, ClientHardwareAddress = chaddr, Options = options };
    }
}
