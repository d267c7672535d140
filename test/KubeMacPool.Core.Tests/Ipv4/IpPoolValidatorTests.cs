using KubeMacPool.Core.Ipv4;

namespace KubeMacPool.Core.Tests.Ipv4;

public class IpPoolValidatorTests
{
    private static IpPoolInput Pool(Func<IpPoolInput, IpPoolInput>? change = null)
    {
        var pool = new IpPoolInput
        {
            Name = "blue",
            Network = "default/blue-net",
            Cidr = "10.0.0.0/24",
            ServerIp = "10.0.0.2",
            Router = "10.0.0.1",
            RangeStart = "10.0.0.1",
            RangeEnd = "10.0.0.254",
        };
        return change is null ? pool : change(pool);
    }

    private static string Errors(IpPoolInput input, params IpPoolDefinition[] others)
    {
        var result = IpPoolValidator.Validate(input, others);
        Assert.False(result.IsValid);
        return result.ErrorMessage;
    }

    [Fact]
    public void Server_and_router_inside_the_range_are_excluded_automatically()
    {
        var result = IpPoolValidator.Validate(Pool(), []);
        Assert.True(result.IsValid, result.ErrorMessage);
        var definition = result.Definition!;
        Assert.Equal(["10.0.0.1", "10.0.0.2"], definition.Reserved.Select(KubeMacPool.Core.Ipv4.Ipv4.Format));
        Assert.Equal(252UL, definition.CreateAllocator().AvailableCount);
        Assert.Contains("spec.serverIP 10.0.0.2 is inside the allocation range 10.0.0.1-10.0.0.254; it is excluded automatically", result.Notes);
        Assert.Equal(IpPoolDefinition.DefaultLeaseTimeSeconds, definition.LeaseTimeSeconds);
    }

    [Fact]
    public void The_range_defaults_to_every_host_of_the_subnet()
    {
        var definition = IpPoolValidator.Validate(Pool(p => p with { RangeStart = null, RangeEnd = null }), []).Definition!;
        Assert.Equal("10.0.0.1", KubeMacPool.Core.Ipv4.Ipv4.Format(definition.RangeStart));
        Assert.Equal("10.0.0.254", KubeMacPool.Core.Ipv4.Ipv4.Format(definition.RangeEnd));
    }

    [Theory]
    [InlineData("10.0.1.5", null, "spec.range.start 10.0.1.5 is outside the subnet 10.0.0.0/24")]
    [InlineData(null, "10.0.0.255", "spec.range.end 10.0.0.255 is the broadcast address of 10.0.0.0/24")]
    [InlineData("10.0.0.0", null, "spec.range.start 10.0.0.0 is the network address of 10.0.0.0/24")]
    [InlineData("10.0.0.200", "10.0.0.100", "spec.range.start 10.0.0.200 is after spec.range.end 10.0.0.100")]
    public void A_range_outside_the_subnet_is_refused(string? start, string? end, string message) =>
        Assert.Contains(message, Errors(Pool(p => p with { RangeStart = start ?? p.RangeStart, RangeEnd = end ?? p.RangeEnd })), StringComparison.Ordinal);

    [Fact]
    public void An_exclude_outside_the_range_is_an_error_not_a_silent_failure() =>
        Assert.Contains(
            "spec.exclude[1] 10.0.0.240 is outside the allocation range 10.0.0.10-10.0.0.200",
            Errors(Pool(p => p with { RangeStart = "10.0.0.10", RangeEnd = "10.0.0.200", Exclude = ["10.0.0.20", "10.0.0.240"] })),
            StringComparison.Ordinal);

    [Theory]
    [InlineData("10.0.0.300", "spec.serverIP \"10.0.0.300\" is not an IPv4 address")]
    [InlineData("10.0.1.2", "spec.serverIP 10.0.1.2 is outside the subnet 10.0.0.0/24")]
    [InlineData("", "spec.serverIP is required")]
    [InlineData("10.0.0.1", "spec.router 10.0.0.1 must differ from spec.serverIP")]
    public void Bad_server_addresses_are_refused(string server, string message) =>
        Assert.Contains(message, Errors(Pool(p => p with { ServerIp = server })), StringComparison.Ordinal);

    [Theory]
    [InlineData("10.0.0.0/31", "too small")]
    [InlineData("10.0.0.1/24", "has host bits set; the subnet is 10.0.0.0/24")]
    [InlineData("nonsense", "not in CIDR form")]
    public void Bad_subnets_are_refused(string cidr, string message) =>
        Assert.Contains(message, Errors(Pool(p => p with { Cidr = cidr })), StringComparison.Ordinal);

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var message = Errors(Pool(p => p with
        {
            Network = "blue-net",
            Dns = ["8.8.8"],
            Ntp = ["pool.ntp.org"],
            DomainName = "bad_domain",
            LeaseTimeSeconds = 5,
            Mtu = 20,
        }));
        Assert.Contains("spec.network \"blue-net\" must name a NetworkAttachmentDefinition as namespace/name", message, StringComparison.Ordinal);
        Assert.Contains("spec.dns[0] \"8.8.8\" is not an IPv4 address", message, StringComparison.Ordinal);
        Assert.Contains("spec.ntp[0] \"pool.ntp.org\" is not an IPv4 address", message, StringComparison.Ordinal);
        Assert.Contains("spec.domainName \"bad_domain\" is not a valid DNS domain name", message, StringComparison.Ordinal);
        Assert.Contains("spec.leaseTimeSeconds 5 must be between 60", message, StringComparison.Ordinal);
        Assert.Contains("spec.mtu 20 must be between 68 and 65535", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_pools_on_one_network_are_refused_but_other_networks_may_reuse_the_subnet()
    {
        var first = IpPoolValidator.Validate(Pool(), []).Definition!;
        Assert.Contains(
            "spec.cidr 10.0.0.0/25 overlaps 10.0.0.0/24 of pool blue on the same network default/blue-net",
            Errors(Pool(p => p with { Name = "blue2", Cidr = "10.0.0.0/25", ServerIp = "10.0.0.3", Router = null, RangeStart = null, RangeEnd = null }), first),
            StringComparison.Ordinal);
        Assert.True(IpPoolValidator.Validate(Pool(p => p with { Name = "green", Network = "default/green-net" }), [first]).IsValid);
        Assert.True(IpPoolValidator.Validate(Pool(), [first]).IsValid, "a pool does not overlap itself (update)");
    }

    [Fact]
    public void A_range_with_nothing_left_after_exclusions_is_refused() =>
        Assert.Contains(
            "has no address left once the excluded ones are removed",
            Errors(Pool(p => p with { RangeStart = "10.0.0.1", RangeEnd = "10.0.0.2" })),
            StringComparison.Ordinal);
}
