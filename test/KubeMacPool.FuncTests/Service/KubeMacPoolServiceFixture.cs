using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Service;

/// <summary>One running manager per test class; short wait-time so stale reservations heal within a test.</summary>
public sealed class KubeMacPoolServiceFixture(ClusterFixture cluster) : IAsyncLifetime
{
    public const int WaitTimeSeconds = 5;

    public KubeMacPoolService Service { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(cluster.IsLocal, "the manager runs as a process on 127.0.0.1, which only the local control plane can call");
        Service = await KubeMacPoolService.StartAsync(cluster, WaitTimeSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }
}
