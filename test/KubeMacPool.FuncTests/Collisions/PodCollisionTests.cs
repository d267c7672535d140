using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>Spec §8.1 C (pod_collision_test.go): collisions between pods' Multus MACs, duplicates admitted (policy allow).</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class PodCollisionTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : IClassFixture<CollisionServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);
    private CollisionScenario _s = null!;
    private TestNamespace _test = null!;
    private TestNamespace _other = null!;

    public async ValueTask InitializeAsync()
    {
        _s = new CollisionScenario(_k, fixture);
        _test = await _k.CreateNamespaceAsync(prefix: "kmp-pod");
        _other = await _k.CreateNamespaceAsync(prefix: "kmp-pod-alt");
        await CollisionScenario.SettleAsync();
    }

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Theory]
    [InlineData("02:00:00:00:bb:01")]
    [InlineData("02-00-00-00-bb-01")]
    public async Task Two_pods_with_the_same_in_range_mac_are_admitted_and_collide(string secondFormat)
    {
        var a = await _s.RunningPodAsync(_test.Name, "pod-a", ("nad1", "02:00:00:00:bb:01"));
        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("nad1", secondFormat));
        await _s.ExpectEventsAsync("02:00:00:00:bb:01", a, b);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:01", 2);
    }

    [Fact]
    public async Task An_out_of_range_mac_collides_too()
    {
        var a = await _s.RunningPodAsync(_test.Name, "pod-a", ("nad1", "06:00:00:00:bb:00"));
        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("nad1", "06:00:00:00:bb:00"));
        await _s.ExpectEventsAsync("06:00:00:00:bb:00", a, b);
        await _s.ExpectGaugeAsync("06:00:00:00:bb:00", 2);
    }

    [Fact]
    public async Task Three_pods_with_one_mac_are_listed_together()
    {
        var a = await _s.RunningPodAsync(_test.Name, "pod-a", ("nad1", "02:00:00:00:bb:10"));
        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("nad1", "02:00:00:00:bb:10"));
        var c = await _s.RunningPodAsync(_test.Name, "pod-c", ("nad1", "02:00:00:00:bb:10"));
        await _s.ExpectEventsAsync("02:00:00:00:bb:10", a, b, c);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:10", 3);
    }

    [Fact]
    public async Task Only_the_shared_mac_of_multi_network_pods_collides()
    {
        var a = await _s.RunningPodAsync(_test.Name, "pod-a", ("net1", "02:00:00:00:bb:20"), ("net2", "02:00:00:00:bb:21"));
        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("net1", "02:00:00:00:bb:20"), ("net3", "02:00:00:00:bb:22"));
        await _s.ExpectEventsAsync("02:00:00:00:bb:20", a, b);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:20", 2);
        Assert.Equal(0, await fixture.CollisionGaugeAsync("02:00:00:00:bb:22"));
    }

    [Fact]
    public async Task One_pod_can_collide_on_two_macs_with_two_others()
    {
        var a = await _s.RunningPodAsync(_test.Name, "pod-a", ("net1", "02:00:00:00:bb:30"), ("net2", "02:00:00:00:bb:31"));
        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("net1", "02:00:00:00:bb:30"));
        var c = await _s.RunningPodAsync(_test.Name, "pod-c", ("net2", "02:00:00:00:bb:31"));
        await _s.ExpectEventsAsync("02:00:00:00:bb:30", a, b);
        await _s.ExpectEventsAsync("02:00:00:00:bb:31", a, c);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:30", 2);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:31", 2);
    }

    [Fact]
    public async Task Deleting_one_pod_clears_the_collision()
    {
        await _s.RunningPodAsync(_test.Name, "pod-a", ("net1", "02:00:00:00:bb:40"));
        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("net1", "02:00:00:00:bb:40"));
        await _s.ExpectGaugeAsync("02:00:00:00:bb:40", 2);
        await _s.DeleteAsync(b);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:40", 0);
    }

    [Fact]
    public async Task Deleting_one_pod_clears_only_its_collision()
    {
        await _s.RunningPodAsync(_test.Name, "pod-a", ("net1", "02:00:00:00:bb:50"), ("net2", "02:00:00:00:bb:51"));
        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("net1", "02:00:00:00:bb:50"));
        await _s.RunningPodAsync(_test.Name, "pod-c", ("net2", "02:00:00:00:bb:51"));
        await _s.ExpectGaugeAsync("02:00:00:00:bb:50", 2);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:51", 2);
        await _s.DeleteAsync(b);
        await _s.ExpectGaugeAsync("02:00:00:00:bb:50", 0);
        Assert.Equal(2, await fixture.CollisionGaugeAsync("02:00:00:00:bb:51"));
    }

    [Fact]
    public async Task Pods_opt_in_mode_both_pods_in_an_opted_in_namespace_collide()
    {
        await fixture.Service.SetOptModeAsync(CollisionScenario.PodsWebhook, optIn: true);
        try
        {
            await _other.SetLabelAsync(CollisionScenario.PodsWebhook, "allocate");
            await CollisionScenario.SettleAsync();
            var a = await _s.RunningPodAsync(_other.Name, "pod-a", ("net1", "02:00:00:00:bb:60"));
            var b = await _s.RunningPodAsync(_other.Name, "pod-b", ("net1", "02:00:00:00:bb:60"));
            await _s.ExpectEventsAsync("02:00:00:00:bb:60", a, b);
            await _s.ExpectGaugeAsync("02:00:00:00:bb:60", 2);
        }
        finally
        {
            await fixture.Service.SetOptModeAsync(CollisionScenario.PodsWebhook, optIn: false);
        }
    }

    [Fact]
    public async Task Pods_opt_in_mode_a_pod_in_an_unmanaged_namespace_does_not_collide()
    {
        await fixture.Service.SetOptModeAsync(CollisionScenario.PodsWebhook, optIn: true);
        try
        {
            await _other.SetLabelAsync(CollisionScenario.PodsWebhook, "allocate");
            await CollisionScenario.SettleAsync();
            var unmanaged = await _s.RunningPodAsync(_test.Name, "pod-a", ("net1", "02:00:00:00:bb:70"));
            var managed = await _s.RunningPodAsync(_other.Name, "pod-b", ("net1", "02:00:00:00:bb:70"));
            await _s.ExpectNoCollisionAsync("02:00:00:00:bb:70", unmanaged, managed);
        }
        finally
        {
            await fixture.Service.SetOptModeAsync(CollisionScenario.PodsWebhook, optIn: false);
        }
    }

    [Fact]
    public async Task A_pod_counts_only_once_multus_reports_network_status_and_while_it_runs()
    {
        const string Mac = "02:00:00:00:bb:80";
        var a = await _s.RunningPodAsync(_test.Name, "pod-a", ("net1", Mac));
        // Admitted with the same MAC but never wired by Multus (no network-status) and not running: no collision.
        await _k.CreatePodAsync(_test.Name, "pod-unwired", annotations: new Dictionary<string, string>
        {
            ["k8s.v1.cni.cncf.io/networks"] = $$"""[{"name":"net1","mac":"{{Mac}}"}]""",
        });
        _k.DeferCleanup("deleting pod-unwired", _ => _k.DeletePodAsync(_test.Name, "pod-unwired"));
        await _k.SetPodPhaseAsync(_test.Name, "pod-unwired", "Running");
        await _s.ExpectNoCollisionAsync(Mac, a);

        var b = await _s.RunningPodAsync(_test.Name, "pod-b", ("net1", Mac));
        await _s.ExpectGaugeAsync(Mac, 2);
        await _k.SetPodPhaseAsync(b.Namespace, b.Name, "Succeeded");
        await _s.ExpectGaugeAsync(Mac, 0);
    }

    [Fact]
    public async Task A_virt_launcher_pod_is_left_to_its_vmi()
    {
        const string Mac = "02:00:00:00:bb:90";
        var a = await _s.RunningPodAsync(_test.Name, "pod-a", ("net1", Mac));
        var launcher = new Dictionary<string, string> { ["kubevirt.io"] = "virt-launcher" };
        await _k.CreatePodAsync(_test.Name, "virt-launcher-x", annotations: new Dictionary<string, string>
        {
            ["k8s.v1.cni.cncf.io/networks"] = $$"""[{"name":"net1","mac":"{{Mac}}"}]""",
            ["k8s.v1.cni.cncf.io/network-status"] = $$"""[{"name":"net1","mac":"{{Mac}}"}]""",
        }, labels: launcher);
        _k.DeferCleanup("deleting virt-launcher-x", _ => _k.DeletePodAsync(_test.Name, "virt-launcher-x"));
        await _k.SetPodPhaseAsync(_test.Name, "virt-launcher-x", "Running");
        await _s.ExpectNoCollisionAsync(Mac, a, new RunningObject("pod", _test.Name, "virt-launcher-x"));
    }
}
