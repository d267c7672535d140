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
    [InlineData("02:00:00:00:00:01", "10.0.0.11", "reserved twice")]
    [InlineData("02:00:00:00:00:02", "10.0.0.10", "reserved for both")]
    public void A_conflicting_replace_throws_and_keeps_the_previous_snapshot(string mac, string ip, string message)
    {
        var book = new DhcpLeaseBook();
        book.Replace(Settings, [Reservation("02:00:00:00:00:01", "10.0.0.10")]);
        var error = Assert.Throws<ArgumentException>(() =>
            book.Replace(Settings, [Reservation("02:00:00:00:00:01", "10.0.0.10"), Reservation(mac, ip)]));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, book.Count);
        Assert.True(book.TryGetReservation(MacAddress.Parse("02:00:00:00:00:01"), out _));
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
