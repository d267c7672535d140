using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>Spec §8.1 D (cross_type_collision_test.go): a pod and a VMI sharing a MAC.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class CrossTypeCollisionTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : IClassFixture<CollisionServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);
    private CollisionScenario _s = null!;
    private TestNamespace _test = null!;

    public async ValueTask InitializeAsync()
    {
        _s = new CollisionScenario(_k, fixture);
        _test = await _k.CreateNamespaceAsync(prefix: "kmp-cross");
        await CollisionScenario.SettleAsync();
    }

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task A_pod_and_a_vmi_sharing_a_mac_both_get_the_event()
    {
        var pod = await _s.RunningPodAsync(_test.Name, "pod-a", ("nad1", "02:00:00:00:cc:01"));
        var vmi = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("nad1", "02:00:00:00:cc:01"));
        await _s.ExpectEventsAsync("02:00:00:00:cc:01", pod, vmi);
        await _s.ExpectGaugeAsync("02:00:00:00:cc:01", 2);
    }

    [Fact]
    public async Task Deleting_the_vmi_clears_the_collision()
    {
        await _s.RunningPodAsync(_test.Name, "pod-a", ("nad1", "02:00:00:00:cc:10"));
        var vmi = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("nad1", "02:00:00:00:cc:10"));
        await _s.ExpectGaugeAsync("02:00:00:00:cc:10", 2);
        await _s.DeleteAsync(vmi);
        await _s.ExpectGaugeAsync("02:00:00:00:cc:10", 0);
    }

    [Fact]
    public async Task Deleting_the_pod_clears_the_collision()
    {
        var pod = await _s.RunningPodAsync(_test.Name, "pod-a", ("nad1", "02:00:00:00:cc:20"));
        await _s.RunningVmiAsync(_test.Name, "vmi-a", ("nad1", "02:00:00:00:cc:20"));
        await _s.ExpectGaugeAsync("02:00:00:00:cc:20", 2);
        await _s.DeleteAsync(pod);
        await _s.ExpectGaugeAsync("02:00:00:00:cc:20", 0);
    }

    [Fact]
    public async Task Objects_in_different_namespaces_collide()
    {
        var other = await _k.CreateNamespaceAsync(prefix: "kmp-cross-alt");
        await CollisionScenario.SettleAsync();
        var pod = await _s.RunningPodAsync(other.Name, "pod-a", ("nad1", "02:00:00:00:cc:30"));
        var vmi = await _s.RunningVmiAsync(_test.Name, "vmi-a", ("nad1", "02:00:00:00:cc:30"));
        await _s.ExpectEventsAsync("02:00:00:00:cc:30", pod, vmi);
    }
}
