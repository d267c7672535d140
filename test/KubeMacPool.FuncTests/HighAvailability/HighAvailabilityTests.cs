using System.Text.Json.Nodes;
using k8s;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.HighAvailability;

/// <summary>
/// Two replicas behind HAProxy (<c>make cluster-sync REPLICAS=2</c>) against the real API server, 64 clients creating
/// VMs without MACs while the leader is SIGKILLed and restarted, or each replica in turn gets SIGTERM and is restarted
/// (a rolling update). Afterwards every VM has its MACs and no MAC appears twice; a standby wrote nothing (the
/// API server records each write's field manager, which names the replica).
/// </summary>
/// <remarks>Figures go to the test output and to _output/functest/ha-figures.tsv; KMP_HA_ROUNDS repeats the disruption (docs/benchmarks.md uses 5).</remarks>
[Collection(ClusterTestGroup.Name)]
public sealed class HighAvailabilityTests(ClusterFixture cluster)
{
    private const int Clients = 64;

    [Fact(Timeout = 900_000)]
    public Task Leader_SIGKILL_under_64_way_creation_is_taken_over_without_duplicates() =>
        RunAsync("sigkill", async (bed, load, report) =>
        {
            var (leader, _) = await bed.WaitForLeaderAsync();
            var killedAt = load.Now;
            bed.Signal(leader, "KILL");
            await bed.WaitForExitAsync(leader, TimeSpan.FromSeconds(10));
            // The takeover time is a figure (docs/benchmarks.md, KMP_HA_ROUNDS=5: target 5 s), not a test bound: a
            // loaded machine stretches it. The test requires that creates are admitted again at all.
            var outage = double.NaN;
            for (var waited = 0; waited < 30 && double.IsNaN(outage = load.FirstAdmittedAfter(killedAt)); waited++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            var refusedAround = load.Results.Count(r => r.Error is not null && r.End >= killedAt);
            report($"first admitted after SIGKILL\t{outage:0.000}\ts");
            report($"refused creates around the kill\t{refusedAround}\t");
            Assert.False(double.IsNaN(outage), "no create was admitted within 30 s of the leader's SIGKILL");

            // At most what was in flight on the killed replica (each client has one create in flight).
            Assert.True(refusedAround <= Clients, $"{refusedAround} creates refused around the kill");
            await bed.RestartAsync(leader);
        });

    [Fact(Timeout = 900_000)]
    public Task Rolling_SIGTERM_of_both_replicas_under_64_way_creation_refuses_nothing() =>
        RunAsync("rolling", async (bed, load, report) =>
        {
            var started = load.Now;
            for (var replica = 0; replica < ReplicaBed.Replicas; replica++)
            {
                var at = load.Now;
                bed.Signal(replica, "TERM");
                await bed.WaitForExitAsync(replica, TimeSpan.FromSeconds(30));
                report($"replica {replica} SIGTERM to exit\t{load.Now - at:0.000}\ts");
                await bed.RestartAsync(replica);
                await bed.WaitForLeaderAsync();
            }

            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            report($"rolling restart took\t{load.Now - started:0.000}\ts");
            await load.StopAsync();
            Assert.True(load.Refusals.Count == 0, $"{load.Refusals.Count} creates refused during the rolling restart:\n" + string.Join("\n", load.Refusals.Take(5)));
        });

    private async Task RunAsync(string scenario, Func<ReplicaBed, CreateLoad, Action<string>, Task> disrupt)
    {
        Assert.SkipUnless(cluster.IsLocal, "the replica bed runs the managers and HAProxy as processes on 127.0.0.1 of the local cluster");
        var repo = cluster.Repository!;
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var bed = new ReplicaBed(k, repo);
        var figures = Path.Combine(repo.Root, "_output", "functest", "ha-figures.tsv");
        Directory.CreateDirectory(Path.GetDirectoryName(figures)!);
        var rounds = int.TryParse(System.Environment.GetEnvironmentVariable("KMP_HA_ROUNDS"), out var n) && n > 0 ? n : 1;
        try
        {
            await bed.SyncAsync();
            for (var round = 1; round <= rounds; round++)
            {
                var ns = await k.CreateNamespaceAsync(new Dictionary<string, string> { [KubeMacPoolService.VirtualMachinesWebhook] = "allocate" });
                await bed.WaitForLeaderAsync();
                using var load = new CreateLoad(k, ns.Name, Clients);
                load.Start();
                await Task.Delay(TimeSpan.FromSeconds(3), k.CancellationToken);
                void Report(string line)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine(line);
                    File.AppendAllText(figures, $"{DateTime.UtcNow:O}\t{scenario}\t{round}\t{line}\n");
                }

                try
                {
                    await disrupt(bed, load, Report);
                }
                finally
                {
                    await load.StopAsync();
                }

                Report($"creates admitted\t{load.Admitted}\t");
                Report($"creates refused\t{load.Refusals.Count}\t{string.Join(" | ", load.Refusals.Take(3))}");
                await AssertEveryVmHasUniqueMacsAsync(k, ns.Name);

                // The next round's restarts rebuild from a cluster of this size, not of every round's VMs.
                await k.DeleteNamespaceAsync(ns.Name);
            }

            await AssertStandbyWritesNothingAsync(k, bed);
        }
        finally
        {
            var clean = await bed.CleanAsync();
            Assert.True(clean.Succeeded, clean.Describe());
        }
    }

    /// <summary>Every VM of the run has a MAC on each interface, and no MAC is on two interfaces of any VM or pod.</summary>
    private static async Task AssertEveryVmHasUniqueMacsAsync(TestCluster k, string ns)
    {
        var vms = await k.ListCustomObjectsAsync(CustomResources.VirtualMachines, ns);
        Assert.NotEmpty(vms);
        var macs = new List<string>();
        foreach (var vm in vms)
        {
            var own = Vms.Macs(vm);
            Assert.All(own, m => Assert.False(string.IsNullOrEmpty(m), $"VM {vm["metadata"]?["name"]} has an interface without a MAC"));
            macs.AddRange(own!);
        }

        var pods = await k.Client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: k.CancellationToken);
        foreach (var pod in pods.Items)
        {
            if (pod.Metadata.Annotations?.TryGetValue("k8s.v1.cni.cncf.io/networks", out var networks) == true && networks.TrimStart().StartsWith('['))
            {
                macs.AddRange(JsonNode.Parse(networks)!.AsArray().Select(n => n?["mac"]?.GetValue<string>()).OfType<string>());
            }
        }

        var duplicates = macs.GroupBy(m => m.ToUpperInvariant()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} MACs appear twice among {macs.Count}: {string.Join(", ", duplicates.Take(10))}");
    }

    /// <summary>
    /// An invalid range edit makes every replica's range controller want to record a Warning Event; only the leader's
    /// is written. The API server names the writer (field manager = kubemacpool@identity), so a standby's write would show.
    /// </summary>
    private static async Task AssertStandbyWritesNothingAsync(TestCluster k, ReplicaBed bed)
    {
        var (_, leader) = await bed.WaitForLeaderAsync();
        const string configMap = "kubemacpool-mac-range-config";
        var before = await k.Client.CoreV1.ReadNamespacedConfigMapAsync(configMap, KubeMacPoolService.Namespace, cancellationToken: k.CancellationToken);
        var since = DateTime.UtcNow.AddSeconds(-1);
        await k.Client.CoreV1.PatchNamespacedConfigMapAsync(
            TestCluster.MergePatch(new JsonObject { ["data"] = new JsonObject { ["RANGE_START"] = "02:00:00:00:00:10", ["RANGE_END"] = "02:00:00:00:00:01" } }),
            configMap, KubeMacPoolService.Namespace, cancellationToken: k.CancellationToken);
        try
        {
            List<string> writers = [];
            await k.EventuallyAsync(
                async () =>
                {
                    var events = await k.Client.CoreV1.ListNamespacedEventAsync(KubeMacPoolService.Namespace, cancellationToken: k.CancellationToken);
                    writers = [.. events.Items
                        .Where(e => e.Reason is "UpdateFailed" or "InvalidRange")
                        .SelectMany(e => e.Metadata.ManagedFields ?? [])
                        .Where(f => f.Time >= since && f.Manager.StartsWith("kubemacpool", StringComparison.Ordinal))
                        .Select(f => f.Manager)
                        .Distinct()];
                    return writers.Count > 0;
                },
                "the range controller's Warning Event",
                TimeSpan.FromSeconds(30));

            // Both replicas saw the edit; give a standby's write (if any) time to land before judging.
            await Task.Delay(TimeSpan.FromSeconds(2), k.CancellationToken);
            var all = await k.Client.CoreV1.ListNamespacedEventAsync(KubeMacPoolService.Namespace, cancellationToken: k.CancellationToken);
            var managers = all.Items.SelectMany(e => e.Metadata.ManagedFields ?? [])
                .Where(f => f.Time >= since && f.Manager.StartsWith("kubemacpool", StringComparison.Ordinal))
                .Select(f => f.Manager)
                .Distinct();
            Assert.Equal(["kubemacpool@" + leader], managers);
        }
        finally
        {
            await k.Client.CoreV1.PatchNamespacedConfigMapAsync(
                TestCluster.MergePatch(new JsonObject { ["data"] = new JsonObject { ["RANGE_START"] = before.Data["RANGE_START"], ["RANGE_END"] = before.Data["RANGE_END"] } }),
                configMap, KubeMacPoolService.Namespace, cancellationToken: k.CancellationToken);
        }
    }
}
