using KubeMacPool.Core.Ipam;

namespace KubeMacPool.Core.Tests.Ipam;

public class IpamClaimNameTests
{
    [Theory]
    [InlineData("vm1", "random_net", "vm1.random.net")]
    [InlineData("My_VM", "Net.1", "my.vm.net.1")]
    [InlineData("vm-a", "anet", "vm-a.anet")]
    [InlineData("vm1", "podnet", "vm1.podnet")]
    [InlineData("vm1", "randomnet", "vm1.randomnet")]
    [InlineData("-vm-", "-net-", "vm.net")]
    [InlineData("vm", "a--b", "vm.a--b")]
    [InlineData("vm", "a-_-b", "vm.a.b")]
    [InlineData("vm", "__", "vm")]
    [InlineData("VM", "NET", "vm.net")]
    [InlineData("vm", "nét", "vm.n.t")]
    public void Composes_and_sanitises_as_ipam_extensions(string vm, string network, string expected) =>
        Assert.Equal(expected, IpamClaimName.Compose(vm, network));

    [Fact]
    public void Different_keys_may_meet_as_upstream_lets_them()
    {
        Assert.Equal(IpamClaimName.Compose("a_b", "n"), IpamClaimName.Compose("a.b", "n"));
    }

    [Fact]
    public void Names_are_cut_at_253_characters()
    {
        var name = IpamClaimName.Compose(new string('a', 250), "network");
        Assert.Equal(253, name.Length);
        Assert.Equal(new string('a', 250) + ".ne", name);
    }
}
