using System.Net;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;

namespace KubeMacPool.Dhcp.Tests.Leases;

public sealed class DhcpLeaseBookTests
{
    private static readonly DhcpNetworkSettings Settings = new()
    {
        ServerAddress = IPAddress.Parse("10.0.0.2"),
        SubnetMask = IPAddress.Parse("255.255.255.0"),
        LeaseTime = TimeSpan.FromHours(1),
    };

    private static DhcpReservation Reservation(string mac, string ip) => new(MacAddress.Parse(mac), IPAddress.Parse(ip), null);

    [Fact]
    public void Is_not_ready_until_the_first_replace_and_after_clear()
    {
        var book = new DhcpLeaseBook();
        Assert.False(book.IsReady);
        book.Replace(Settings, [Reservation("02:00:00:00:00:01", "10.0.0.10")]);
        Assert.True(book.IsReady);
        Assert.True(book.TryGetReservation(MacAddress.Parse("02:00:00:00:00:01"), out var found));
        Assert.Equal(IPAddress.Parse("10.0.0.10"), found.Address);
        book.Clear();
        Assert.False(book.IsReady);
    }

    [Fact]
    public void Upper_and_lower_case_macs_are_the_same_reservation()
    {
        var book = new DhcpLeaseBook();
        book.Replace(Settings, [Reservation("02:AB:00:00:00:01", "10.0.0.10")]);
        Assert.True(book.TryGetReservation(MacAddress.Parse("02:ab:00:00:00:01"), out _));
    }

    [Theory]
    [InlineData("02:00:00:00:00:01", "10.0.0.11", "MAC is reserved 2 times", 2)]
    [InlineData("02:00:00:00:00:02", "10.0.0.10", "10.0.0.10 is reserved for 2 MACs", 2)]
    [InlineData("02:00:00:00:00:02", "10.0.1.10", "outside the server's subnet 10.0.0.2/24", 1)]
    [InlineData("02:00:00:00:00:02", "10.0.0.2", "the server's own address", 1)]
    public void Conflicting_or_unservable_reservations_are_left_out_and_reported_and_the_rest_is_served(string mac, string ip, string message, int rejectedCount)
    {
        var book = new DhcpLeaseBook();
        var rejected = book.Replace(Settings, [Reservation("02:00:00:00:00:01", "10.0.0.10"), Reservation(mac, ip), Reservation("02:00:00:00:00:09", "10.0.0.90")]);

        Assert.Equal(rejectedCount, rejected.Count);
        Assert.All(rejected, problem => Assert.Contains(message, problem, StringComparison.Ordinal));
        Assert.True(book.TryGetReservation(MacAddress.Parse("02:00:00:00:00:09"), out _));
        Assert.Equal(3 - rejectedCount, book.Count);
        if (rejectedCount == 2)
        {
            // Neither claimant is served: serving one could put the address on two hosts.
            Assert.False(book.TryGetReservation(MacAddress.Parse("02:00:00:00:00:01"), out _));
        }
    }

    [Fact]
    public void A_replace_with_unservable_settings_throws_and_keeps_the_previous_snapshot()
    {
        var book = new DhcpLeaseBook();
        book.Replace(Settings, [Reservation("02:00:00:00:00:01", "10.0.0.10")]);
        Assert.Throws<ArgumentException>(() => book.Replace(Settings with { SubnetMask = IPAddress.Parse("255.0.255.0") }, []));
        Assert.Equal(1, book.Count);
        Assert.Equal(Settings, book.Settings);
    }

    [Fact]
    public void Settings_are_validated()
    {
        var book = new DhcpLeaseBook();
        Assert.Throws<ArgumentException>(() => book.Replace(Settings with { ServerAddress = IPAddress.IPv6Loopback }, []));
        Assert.Throws<ArgumentException>(() => book.Replace(Settings with { SubnetMask = IPAddress.Parse("255.0.255.0") }, []));
        Assert.Throws<ArgumentException>(() => book.Replace(Settings with { LeaseTime = TimeSpan.Zero }, []));
        Assert.Throws<ArgumentException>(() => book.Replace(Settings with { InterfaceMtu = 10 }, []));
        Assert.Throws<ArgumentException>(() => book.Replace(Settings with { SearchDomains = ["bad..name"] }, []));
        Assert.Throws<ArgumentException>(() => book.Replace(Settings with { ClasslessRoutes = [new(IPAddress.Any, 33, IPAddress.Loopback)] }, []));
        Assert.False(book.IsReady);
    }
}
