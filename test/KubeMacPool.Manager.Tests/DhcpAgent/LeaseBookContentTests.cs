using System.Net;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Manager.DhcpAgent;
using static KubeMacPool.Manager.Tests.StaticIps.DhcpModels;

namespace KubeMacPool.Manager.Tests.StaticIpsAgent;

public class LeaseBookContentTests
{
    [Fact]
    public void The_pool_options_and_its_reservations_become_the_book()
    {
        var pool = NewPool("blue", "ns/blue", "10.0.0.0/24", "10.0.0.1", dns: "192.0.2.53");
        var content = LeaseBookContent.Build(pool,
        [
            NewReservation("vm.net1", "ns/blue", "02:00:00:00:00:01", pool: "blue", address: "10.0.0.7"),
            NewReservation("other.net1", "ns/red", "02:00:00:00:00:02", pool: "red", address: "10.0.0.8"),
        ], out var error)!;
        Assert.Null(error);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), content.Settings.ServerAddress);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), content.Settings.SubnetMask);
        Assert.Equal([IPAddress.Parse("192.0.2.53")], content.Settings.DnsServers);
        Assert.Equal(TimeSpan.FromHours(1), content.Settings.LeaseTime);
        var served = Assert.Single(content.Reservations);
        Assert.Equal((MacAddress.Parse("02:00:00:00:00:01"), IPAddress.Parse("10.0.0.7"), "vm"), (served.Mac, served.Address, served.HostName));
    }

    [Fact]
    public void Deleting_and_conflicting_reservations_are_not_served_and_the_older_wins()
    {
        var deleting = NewReservation("gone.net1", "ns/blue", "02:00:00:00:00:09", pool: "blue", address: "10.0.0.9");
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        var content = LeaseBookContent.Build(NewPool("blue", "ns/blue", "10.0.0.0/24", "10.0.0.1"),
        [
            deleting,
            NewReservation("new.net1", "ns/blue", "02:00:00:00:00:02", pool: "blue", address: "10.0.0.7", age: 1),
            NewReservation("old.net1", "ns/blue", "02:00:00:00:00:01", pool: "blue", address: "10.0.0.7", age: 5),
            NewReservation("bad.net1", "ns/blue", "not-a-mac", pool: "blue", address: "10.0.0.8"),
        ], out _)!;
        var served = Assert.Single(content.Reservations);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:01"), served.Mac);
    }

    [Fact]
    public void An_invalid_pool_is_not_served_and_says_why()
    {
        Assert.Null(LeaseBookContent.Build(NewPool("blue", "ns/blue", "10.0.0.0/24", "10.1.0.1"), [], out var error));
        Assert.Contains("spec.serverIP 10.1.0.1 is outside the subnet 10.0.0.0/24", error, StringComparison.Ordinal);
    }
}
