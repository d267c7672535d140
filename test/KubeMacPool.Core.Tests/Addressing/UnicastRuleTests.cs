using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Tests.Addressing;

public class UnicastRuleTests
{
    [Theory]
    [InlineData("01:00:5e:00:00:01", "a multicast (group) address")]
    [InlineData("33-33-00-00-00-01", "a multicast (group) address")]
    [InlineData("ff:ff:ff:ff:ff:ff", "the broadcast address")]
    [InlineData("FFFF.FFFF.FFFF", "the broadcast address")]
    [InlineData("00:00:00:00:00:00", "the all-zero address")]
    public void Group_and_all_zero_addresses_are_named(string mac, string kind) =>
        Assert.Equal(kind, UnicastRule.NonUnicastKind(MacAddress.Parse(mac)));

    [Theory]
    [InlineData("02:00:00:00:00:01")]
    [InlineData("00:00:00:00:00:01")]
    [InlineData("fe:ff:ff:ff:ff:ff")]
    public void Unicast_addresses_pass(string mac)
    {
        Assert.Null(UnicastRule.NonUnicastKind(MacAddress.Parse(mac)));
        Assert.Null(UnicastRule.Violation("eth0", MacAddress.Parse(mac)));
    }

    [Fact]
    public void The_refusal_names_the_interface_the_mac_and_the_rule() =>
        Assert.Equal(
            "invalid MAC address for interface blue: 01:00:5e:00:00:01 is a multicast (group) address; only unicast MAC addresses can be requested",
            UnicastRule.Violation("blue", MacAddress.Parse("01:00:5E:00:00:01")));
}
