using k8s;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Certificates;

/// <summary>The real manager with rotation intervals of seconds: a new CA every 18 s, a new serving certificate every 6 s.</summary>
public sealed class FastRotationFixture(ClusterFixture cluster) : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> Intervals = new Dictionary<string, string>
    {
        ["CA_ROTATE_INTERVAL"] = "30s",
        ["CA_OVERLAP_INTERVAL"] = "12s",
        ["CERT_ROTATE_INTERVAL"] = "10s",
        ["CERT_OVERLAP_INTERVAL"] = "4s",
    };

    public KubeMacPoolService Service { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(cluster.IsLocal, "the manager runs as a process on 127.0.0.1, which only the local control plane can call");
        Service = await KubeMacPoolService.StartAsync(cluster, waitTimeSeconds: 5, environment: Intervals);
    }

    public async ValueTask DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();

            // Leave no short-lived certificates behind for the next manager.
            await TestCluster.TryAsync(() => cluster.Client.CoreV1.DeleteNamespacedSecretAsync(WebhookTls.CaSecret, KubeMacPoolService.Namespace));
            await TestCluster.TryAsync(() => cluster.Client.CoreV1.DeleteNamespacedSecretAsync(WebhookTls.ServingSecret, KubeMacPoolService.Namespace));
        }
    }
}
