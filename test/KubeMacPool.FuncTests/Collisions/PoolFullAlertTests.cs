using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// A real Prometheus scrapes the real metrics endpoint and evaluates config/monitoring's rule as written:
/// <c>KubemacpoolMACPoolNearlyFull</c> fires once less than 10 % of the range is free for a minute, and resolves
/// when MACs are freed.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class PoolFullAlertTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : AlertTest(cluster, fixture), IClassFixture<CollisionServiceFixture>
{
    private const string Alert = "KubemacpoolMACPoolNearlyFull";

    // The rule's `for: 1m`, plus scrape and evaluation rounds on a busy machine.
    private static readonly TimeSpan FiringTimeout = TimeSpan.FromSeconds(150);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fixture.Service.SetRangeAsync(KubeMacPoolService.DefaultRangeStart, KubeMacPoolService.DefaultRangeEnd);
    }

    [Fact]
    public async Task The_alert_fires_when_under_a_tenth_of_the_range_is_free_and_resolves_when_macs_are_freed()
    {
        var ns = await K.CreateNamespaceAsync(prefix: "kmp-full");
        await Eventually.ValueAsync(Prometheus.TargetHealthAsync, h => h.StartsWith("up", StringComparison.Ordinal), "Prometheus scrapes the metrics endpoint");
        Assert.Equal("inactive", await Prometheus.AlertStateAsync(Alert));

        // Four addresses, one reserved by default (02:00:00:00:00:00): three VMs fill it.
        await Fixture.Service.SetRangeAsync("02:00:00:00:00:00", "02:00:00:00:00:03");
        await K.EventuallyAsync(
            async () => (await Fixture.ScrapeAsync()).Contains("kubemacpool_pool_size 4", StringComparison.Ordinal),
            "the four-address range to apply",
            TimeSpan.FromSeconds(30));
        for (var i = 0; i < 3; i++)
        {
            await K.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm" + i, ("br1", null)));
        }

        Assert.Contains("kubemacpool_macs_free 0", await Fixture.ScrapeAsync(), StringComparison.Ordinal);
        await ExpectAlertAsync(Alert, "firing", FiringTimeout);

        // One VM gone: a quarter of the range is free again.
        await K.DeleteCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "vm0");
        await ExpectAlertAsync(Alert, "inactive", TimeSpan.FromSeconds(60));
    }
}
