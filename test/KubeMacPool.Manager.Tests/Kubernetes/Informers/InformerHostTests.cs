using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using Microsoft.Extensions.Logging.Abstractions;
using static KubeMacPool.Manager.Tests.Kubernetes.Informers.ConfigMaps;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>Secondary kinds wait for the primary lists, so a start spends its CPU on what readiness waits for first.</summary>
public sealed class InformerHostTests
{
    [Fact]
    public async Task A_secondary_kind_is_listed_only_after_every_primary_kind_is()
    {
        var primaryClient = new FakeResourceClient<V1ConfigMap>("configmaps").EnqueueListFailure(new HttpRequestException("apiserver away"));
        var secondaryClient = new FakeResourceClient<V1Secret>("secrets").EnqueuePages(new ResourcePage<V1Secret>([], null, "1"));
        var time = new SignallingTimeProvider();
        using var primary = new Informer<V1ConfigMap>(primaryClient, null, false, NullLoggerFactory.Instance, time);
        using var secondary = new Informer<V1Secret>(secondaryClient, null, false, NullLoggerFactory.Instance, time) { Secondary = true };
        // No KubeVirt kind is registered, so discovery never calls the API.
        var discovery = new KubeVirtDiscovery(null!, time, NullLogger<KubeVirtDiscovery>.Instance);
        using var host = new InformerHost([primary, secondary], discovery);

        await host.StartAsync(TestContext.Current.CancellationToken);
        await primaryClient.ListCalledAsync(1);
        await time.NextArmedAsync(); // the primary list failed and backs off
        Assert.Empty(secondaryClient.ListCalls);

        primaryClient.EnqueuePages(Page("5", null, Map("a", "5")));
        time.Advance(TimeSpan.FromMinutes(1));
        await secondaryClient.ListCalledAsync(1);
        Assert.True(primary.Synced.IsCompleted);
        await secondary.Synced.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
