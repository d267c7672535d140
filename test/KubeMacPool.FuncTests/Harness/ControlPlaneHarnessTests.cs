using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Harness;

/// <summary>
/// Proves the cluster is a real one: kube-controller-manager garbage-collects owned objects and finishes namespace
/// deletion, and the Pod status subresource accepts a phase the tests set themselves (there is no kubelet).
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class ControlPlaneHarnessTests(ClusterFixture cluster)
{
    [Fact(Timeout = 30_000)]
    public async Task Fixture_exposes_a_reachable_cluster_in_the_mode_the_environment_asks_for()
    {
        var external = Environment.GetEnvironmentVariable(ClusterFixture.ProviderVariable) == "external";
        Assert.Equal(!external, cluster.IsLocal);
        Assert.True(File.Exists(cluster.KubeconfigPath), $"kubeconfig {cluster.KubeconfigPath} does not exist");
        var version = await cluster.Client.Version.GetCodeAsync(TestContext.Current.CancellationToken);
        Assert.Equal("1", version.Major);
        Assert.StartsWith("https://", cluster.ApiServerUrl, StringComparison.Ordinal);
        if (cluster.IsLocal)
        {
            Assert.Contains("127.0.0.1", cluster.ApiServerUrl, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Garbage_collector_deletes_a_ConfigMap_whose_owner_was_deleted()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync(waitForDefaultServiceAccount: false);
        var owner = await k.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" }, Data = new Dictionary<string, string> { ["role"] = "owner" } },
            ns.Name,
            cancellationToken: k.CancellationToken);
        var dependent = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "dependent",
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid },
                ],
            },
        };
        await k.Client.CoreV1.CreateNamespacedConfigMapAsync(dependent, ns.Name, cancellationToken: k.CancellationToken);
        var bystander = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "bystander" } };
        await k.Client.CoreV1.CreateNamespacedConfigMapAsync(bystander, ns.Name, cancellationToken: k.CancellationToken);

        await k.Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns.Name, cancellationToken: k.CancellationToken);

        await k.EventuallyAsync(
            async () => await TestCluster.TryAsync(() => k.Client.CoreV1.ReadNamespacedConfigMapAsync("dependent", ns.Name, cancellationToken: k.CancellationToken)) is null,
            "the garbage collector to delete ConfigMap 'dependent' after its owner was deleted",
            TimeSpan.FromSeconds(60));
        Assert.NotNull(await TestCluster.TryAsync(() => k.Client.CoreV1.ReadNamespacedConfigMapAsync("bystander", ns.Name, cancellationToken: k.CancellationToken)));
    }

    [Fact(Timeout = 90_000)]
    public async Task Namespace_deletion_completes_with_objects_inside()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync();
        await k.CreatePodAsync(ns.Name, "resident");
        await k.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "resident" } }, ns.Name, cancellationToken: k.CancellationToken);

        await k.DeleteNamespaceAsync(ns.Name, waitUntilGone: true, timeout: TimeSpan.FromSeconds(60));

        var ex = await Assert.ThrowsAsync<KubernetesApiException>(() => k.GetNamespaceAsync(ns.Name));
        Assert.True(ex.IsNotFound, ex.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Pod_phase_can_be_set_through_the_status_subresource_only()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync();
        var created = await k.CreatePodAsync(ns.Name, "phased", annotations: new Dictionary<string, string> { ["a"] = "b" });
        Assert.Equal("Pending", created.Status?.Phase);

        var running = await k.SetPodPhaseAsync(ns.Name, "phased", "Running");
        Assert.Equal("Running", running.Status.Phase);
        Assert.Equal("Running", (await k.GetPodAsync(ns.Name, "phased")).Status.Phase);

        // The main resource ignores status: only the subresource can change it.
        await k.Client.CoreV1.PatchNamespacedPodAsync(
            TestCluster.MergePatch(new System.Text.Json.Nodes.JsonObject
            {
                ["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Failed" },
            }),
            "phased",
            ns.Name,
            cancellationToken: k.CancellationToken);
        Assert.Equal("Running", (await k.GetPodAsync(ns.Name, "phased")).Status.Phase);
    }

    [Fact(Timeout = 30_000)]
    public async Task Events_are_listed_per_involved_object()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync();
        var pod = await k.CreatePodAsync(ns.Name, "observed");
        await k.CreatePodAsync(ns.Name, "other");
        foreach (var (name, uid, reason) in new[] { ("observed", pod.Metadata.Uid, "FunctestReason"), ("other", "", "OtherReason") })
        {
            await k.Client.CoreV1.CreateNamespacedEventAsync(
                new Corev1Event
                {
                    Metadata = new V1ObjectMeta { Name = TestCluster.UniqueName(name) },
                    InvolvedObject = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = name, NamespaceProperty = ns.Name, Uid = uid },
                    Reason = reason,
                    Message = $"event about {name}",
                    Type = "Normal",
                    Source = new V1EventSource { Component = "kubemacpool-functest" },
                    FirstTimestamp = DateTime.UtcNow,
                    LastTimestamp = DateTime.UtcNow,
                    Count = 1,
                },
                ns.Name,
                cancellationToken: k.CancellationToken);
        }

        var events = await k.ListEventsAsync(ns.Name, "observed", "Pod");
        var only = Assert.Single(events);
        Assert.Equal("FunctestReason", only.Reason);
        Assert.Equal("FunctestReason", (await k.WaitForEventAsync(ns.Name, "observed", "FunctestReason", "Pod")).Reason);
    }
}
