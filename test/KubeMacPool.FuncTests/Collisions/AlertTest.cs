using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// What the alert tests share: a real Prometheus scraping the manager of <see cref="CollisionServiceFixture"/> with a
/// granted token and evaluating config/monitoring's rules as written (skipped, saying why, where none can run).
/// </summary>
public abstract class AlertTest(ClusterFixture cluster, CollisionServiceFixture fixture) : IAsyncLifetime
{
    protected TestCluster K { get; } = new(cluster, TestContext.Current.CancellationToken);

    protected CollisionServiceFixture Fixture => fixture;

    protected PrometheusServer Prometheus { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var (server, unavailable) = await PrometheusServer.StartAsync(fixture.Service.MetricsUrl, fixture.AllowedToken);
        Assert.SkipWhen(server is null, "this machine cannot run Prometheus: " + unavailable);
        Prometheus = server!;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        await K.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task ExpectAlertAsync(string alert, string state, TimeSpan timeout) =>
        await Eventually.ValueAsync(() => Prometheus.AlertStateAsync(alert), s => s == state, $"{alert} is {state}", timeout, TimeSpan.FromSeconds(1));
}
