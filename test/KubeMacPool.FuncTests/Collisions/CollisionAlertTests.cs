using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// Spec §8.1 I (alert_collision_test.go): a real Prometheus scrapes the real metrics endpoint with a granted token and
/// evaluates config/monitoring's rule; <c>KubemacpoolMACCollisionDetected</c> fires while any MAC collides.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class CollisionAlertTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : AlertTest(cluster, fixture), IClassFixture<CollisionServiceFixture>
{
    private const string Alert = "KubemacpoolMACCollisionDetected";

    // The rule's `for: 30s`, plus scrape and evaluation rounds on a busy machine.
    private static readonly TimeSpan FiringTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_alert_fires_while_any_mac_collides_and_resolves_when_none_does()
    {
        var prometheus = Prometheus;
        var scenario = new CollisionScenario(K, Fixture);
        var ns = await K.CreateNamespaceAsync(prefix: "kmp-alert");
        await CollisionScenario.SettleAsync();
        await Eventually.ValueAsync(prometheus.TargetHealthAsync, h => h.StartsWith("up", StringComparison.Ordinal), "Prometheus scrapes the metrics endpoint");
        Assert.Equal("inactive", await prometheus.AlertStateAsync(Alert));

        var pair1 = await scenario.RunningVmiAsync(ns.Name, "vmi-1a", ("net1", "02:00:00:00:aa:01"));
        await scenario.RunningVmiAsync(ns.Name, "vmi-1b", ("net1", "02:00:00:00:aa:01"));
        var pair2 = await scenario.RunningVmiAsync(ns.Name, "vmi-2a", ("net1", "02:00:00:00:aa:02"));
        await scenario.RunningVmiAsync(ns.Name, "vmi-2b", ("net1", "02:00:00:00:aa:02"));
        await ExpectAlertAsync(Alert, "firing", FiringTimeout);

        await scenario.DeleteAsync(pair1);
        await scenario.ExpectGaugeAsync("02:00:00:00:aa:01", 0);
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few scrapes and evaluations without pair 1
        Assert.Equal("firing", await prometheus.AlertStateAsync(Alert));

        await scenario.DeleteAsync(pair2);
        await ExpectAlertAsync(Alert, "inactive", TimeSpan.FromSeconds(30));
    }
}
