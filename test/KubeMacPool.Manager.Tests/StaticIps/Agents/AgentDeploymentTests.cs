using KubeMacPool.Manager.StaticIps.Agents;

namespace KubeMacPool.Manager.Tests.StaticIps.Agents;

public sealed class AgentDeploymentTests
{
    private static readonly AgentSettings Settings = new("kubemacpool-system", "quay.io/kubevirt/kubemacpool:latest", "kubemacpool-dhcp-agent");

    [Fact]
    public void Long_pool_names_give_distinct_names_that_are_label_values()
    {
        var first = AgentDeployment.NameOf(new string('a', 80) + ".one");
        var second = AgentDeployment.NameOf(new string('a', 80) + ".two");
        Assert.NotEqual(first, second);
        Assert.All([first, second], n => Assert.InRange(n.Length, 1, 63));
        Assert.Equal("kubemacpool-dhcp-agent-blue", AgentDeployment.NameOf("blue"));
    }

    [Fact]
    public void Only_the_network_and_the_server_address_change_the_template()
    {
        var pool = DhcpModels.NewPool("blue", "default/blue-net", "10.0.0.0/24", "10.0.0.2");
        var hash = Hash(pool);

        pool.Spec.Dns = ["10.0.0.53"];
        pool.Spec.LeaseTimeSeconds = 600;
        pool.Spec.Range = new() { Start = "10.0.0.10", End = "10.0.0.20" };
        Assert.Equal(hash, Hash(pool));

        pool.Spec.ServerIp = "10.0.0.3";
        var moved = Hash(pool);
        Assert.NotEqual(hash, moved);

        pool.Spec.Network = "default/green-net";
        Assert.NotEqual(moved, Hash(pool));
    }

    [Theory]
    [InlineData("blue-net", "10.0.0.0/24", "10.0.0.2", "spec.network \"blue-net\" is not a NetworkAttachmentDefinition as namespace/name")]
    [InlineData("default/blue-net", "10.0.0.0/24", "10.0.0.300", "spec.serverIP \"10.0.0.300\" is not an IPv4 address")]
    public void A_pool_without_a_usable_network_or_server_has_no_agent(string network, string cidr, string server, string expected)
    {
        Assert.Null(AgentDeployment.Render(DhcpModels.NewPool("blue", network, cidr, server), Settings, out var error));
        Assert.Equal(expected, error);
    }

    private static string? Hash(KubeMacPool.Manager.Kubernetes.Models.IpPool pool) =>
        AgentDeployment.TemplateHashOf(AgentDeployment.Render(pool, Settings, out _)!);
}
