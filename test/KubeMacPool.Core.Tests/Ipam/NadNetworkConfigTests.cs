using KubeMacPool.Core.Ipam;

namespace KubeMacPool.Core.Tests.Ipam;

public class NadNetworkConfigTests
{
    [Fact]
    public void Reads_the_four_keys()
    {
        var parsed = NadNetworkConfig.Parse("""{"cniVersion":"0.3.1","name":"goodnet","type":"ovn-k8s-cni-overlay","allowPersistentIPs":true,"role":"primary","subnets":"10.0.0.0/24, fd00::/64"}""");
        Assert.Null(parsed.Error);
        Assert.Equal(new NadNetworkConfig("goodnet", true, "primary", "10.0.0.0/24, fd00::/64"), parsed.Config);
        Assert.True(parsed.Config!.IsPrimary);
        Assert.Equal(["10.0.0.0/24", "fd00::/64"], parsed.Config.SubnetList);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("""{"name":"x"}""")]
    [InlineData("""{"name":"x","allowPersistentIPs":false}""")]
    [InlineData("""{"name":"x","allowPersistentIPs":null}""")]
    [InlineData("""{"name":"x","ipam":{"allowPersistentIPs":true}}""")]
    [InlineData("""{"name":"x","plugins":[{"allowPersistentIPs":true}]}""")]
    public void Only_a_top_level_true_is_persistent(string? config)
    {
        var parsed = NadNetworkConfig.Parse(config);
        Assert.Null(parsed.Error);
        Assert.False(parsed.Config!.AllowPersistentIps);
    }

    [Fact]
    public void Keys_match_case_insensitively_as_go_does()
    {
        var parsed = NadNetworkConfig.Parse("""{"NAME":"n","allowpersistentips":true,"Role":"primary"}""");
        Assert.Equal(new NadNetworkConfig("n", true, "primary", ""), parsed.Config);
    }

    [Theory]
    [InlineData("{not json", "failed to extract the relevant NAD information: failed to extract CNI configuration: ")]
    [InlineData("[1]", "must be a JSON object, not a list")]
    [InlineData("""{"name":1}""", "\"name\" must be a string, not a number")]
    [InlineData("""{"allowPersistentIPs":"true"}""", "\"allowPersistentIPs\" must be a boolean, not a string")]
    [InlineData("""{"subnets":["10.0.0.0/8"]}""", "\"subnets\" must be a string, not a list")]
    public void Invalid_configs_are_clear_errors(string config, string expected)
    {
        var parsed = NadNetworkConfig.Parse(config);
        Assert.Null(parsed.Config);
        Assert.StartsWith("failed to extract the relevant NAD information: failed to extract CNI configuration: ", parsed.Error, StringComparison.Ordinal);
        Assert.Contains(expected, parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_primary_network_is_the_first_primary_config_and_broken_ones_are_passed_over()
    {
        var primary = PrimaryNetwork.Find(["{bad", """{"name":"sec","allowPersistentIPs":true}""", """{"name":"p1","role":"primary"}""", """{"name":"p2","role":"primary"}"""]);
        Assert.Equal("p1", primary!.Name);
        Assert.Null(PrimaryNetwork.Find(["""{"name":"sec"}""", null]));
    }

    [Theory]
    [InlineData("net", "ns1", "ns1", "net")]
    [InlineData("other/net", "ns1", "other", "net")]
    public void Nad_references_resolve_bare_names_in_the_default_namespace(string text, string ns, string expectedNs, string expectedName) =>
        Assert.Equal(new NadReference(expectedNs, expectedName), NadReference.Parse(text, ns));
}
