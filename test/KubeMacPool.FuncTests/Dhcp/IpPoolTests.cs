using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>IPPool creation, status and validation through the real API server and the manager's validating webhook.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class IpPoolTests(ClusterFixture cluster, DhcpServiceFixture fixture)
    : IClassFixture<DhcpServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task A_pool_shows_server_and_router_excluded_and_its_counts_and_is_ready()
    {
        Assert.NotNull(fixture.Service);
        var name = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(name, "default/" + name, "10.10.0.0/24", "10.10.0.2", "10.10.0.1", "10.10.0.1", "10.10.0.254"));
        var pool = await Eventually.ValueAsync(
            () => _k.GetPoolAsync(name), p => DhcpObjects.Condition(p, "Ready") == "True", "the pool is ready", describe: p => p.ToJsonString());
        Assert.Equal(252, pool["status"]!["available"]!.GetValue<long>());
        Assert.Equal(0, pool["status"]!["used"]!.GetValue<long>());
        Assert.Equal(["10.10.0.1", "10.10.0.2"], pool["status"]!["excluded"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Contains("excluded automatically", DhcpObjects.Condition(pool, "Ready", "message"), StringComparison.Ordinal);

        var table = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "get", "ippools", name], TimeSpan.FromSeconds(30));
        Assert.True(table.Succeeded, table.Describe());
        Assert.Matches(@"NAME\s+NETWORK\s+CIDR\s+USED\s+AVAILABLE\s+READY\s+AGE", table.OutputLines[0]);
        Assert.Matches($@"{name}\s+default/{name}\s+10\.10\.0\.0/24\s+0\s+252\s+True", table.OutputLines[1]);
    }

    [Theory]
    [InlineData("10.20.0.0/24", "10.20.0.2", "10.20.1.1", "10.20.1.9", null, "spec.range.start 10.20.1.1 is outside the subnet 10.20.0.0/24")]
    [InlineData("10.20.0.0/24", "10.20.0.2", "10.20.0.10", "10.20.0.20", "10.20.0.30", "spec.exclude[0] 10.20.0.30 is outside the allocation range 10.20.0.10-10.20.0.20")]
    [InlineData("10.20.0.0/24", "10.20.0.300", null, null, null, "spec.serverIP \"10.20.0.300\" is not an IPv4 address")]
    [InlineData("10.20.0.7/24", "10.20.0.2", null, null, null, "spec.cidr \"10.20.0.7/24\" has host bits set; the subnet is 10.20.0.0/24")]
    public async Task A_bad_pool_is_refused_with_the_reason(string cidr, string server, string? start, string? end, string? exclude, string message)
    {
        var name = TestCluster.UniqueName("bad");
        var pool = DhcpObjects.Pool(name, "default/" + name, cidr, server, null, start, end, exclude is null ? [] : [exclude]);
        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => _k.CreatePoolAsync(pool));
        Assert.Contains($"IPPool {name} is invalid: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlapping_pool_on_the_same_network_is_refused_but_another_network_may_reuse_the_subnet()
    {
        var first = TestCluster.UniqueName("pool");
        var network = "default/" + first;
        await _k.CreatePoolAsync(DhcpObjects.Pool(first, network, "10.30.0.0/24", "10.30.0.2"));
        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            _k.CreatePoolAsync(DhcpObjects.Pool(TestCluster.UniqueName("pool"), network, "10.30.0.128/25", "10.30.0.130")));
        Assert.Contains($"spec.cidr 10.30.0.128/25 overlaps 10.30.0.0/24 of pool {first} on the same network {network}", refused.Message, StringComparison.Ordinal);

        await _k.CreatePoolAsync(DhcpObjects.Pool(TestCluster.UniqueName("pool"), "default/other-" + first, "10.30.0.0/24", "10.30.0.2"));
        await _k.CreatePoolAsync(DhcpObjects.Pool(TestCluster.UniqueName("pool"), network, "10.31.0.0/24", "10.31.0.2"));
    }

    [Fact]
    public async Task An_update_that_breaks_the_pool_is_refused_and_the_pool_keeps_working()
    {
        var name = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(name, "default/" + name, "10.40.0.0/24", "10.40.0.2"));
        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            _k.PatchPoolAsync(name, new JsonObject { ["spec"] = new JsonObject { ["router"] = "10.41.0.1" } }));
        Assert.Contains("spec.router 10.41.0.1 is outside the subnet 10.40.0.0/24", refused.Message, StringComparison.Ordinal);
        var pool = await Eventually.ValueAsync(
            () => _k.GetPoolAsync(name), p => DhcpObjects.Condition(p, "Ready") == "True", "the pool is ready", describe: p => p.ToJsonString());
        Assert.Null(pool["spec"]!["router"]);
    }

    [Fact]
    public async Task The_crd_in_the_manifests_is_the_one_the_local_cluster_loads()
    {
        var root = RepositoryPaths.Locate().Root;
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(root, "hack", "crds", "kubemacpool-dhcp.yaml")),
            await File.ReadAllTextAsync(Path.Combine(root, "config", "default", "crd", "kubemacpool-dhcp.yaml")));
    }
}
