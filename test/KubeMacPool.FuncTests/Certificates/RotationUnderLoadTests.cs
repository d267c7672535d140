using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Certificates;

/// <summary>
/// Rotation under load: with intervals of seconds, four loops keep creating pods and VMs (real and dry-run) through
/// several CA and serving-certificate rotations, while a watcher records every CA, every serving certificate in the
/// Secret and every certificate the service actually presents. No admission may fail because the API server could
/// not call the webhook, and every answer must carry a MAC.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class RotationUnderLoadTests(ClusterFixture cluster, FastRotationFixture fixture, ITestOutputHelper output)
    : IClassFixture<FastRotationFixture>, IAsyncLifetime
{
    private const string Networks = "k8s.v1.cni.cncf.io/networks";
    private static readonly TimeSpan MinimumRun = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan MaximumRun = TimeSpan.FromSeconds(150);
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task Admission_never_fails_through_several_ca_and_serving_certificate_rotations()
    {
        var ns = await _k.CreateNamespaceAsync();
        var client = cluster.Client;
        var cas = new ConcurrentDictionary<string, bool>();
        var servingInSecret = new ConcurrentDictionary<string, bool>();
        var served = new ConcurrentDictionary<string, bool>();
        var callFailures = new ConcurrentQueue<string>();
        var otherFailures = new ConcurrentQueue<string>();
        var missingMacs = new ConcurrentQueue<string>();
        var counts = new ConcurrentDictionary<string, int>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        async Task Observe()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await WebhookTls.ReadSecretAsync(client, WebhookTls.CaSecret) is { } ca)
                    {
                        var authorities = new X509Certificate2Collection();
                        authorities.ImportFromPem(WebhookTls.Text(ca, "ca.crt"));
                        cas.TryAdd(authorities[0].Thumbprint, true);
                    }

                    if (await WebhookTls.ReadSecretAsync(client, WebhookTls.ServingSecret) is { } secret)
                    {
                        using var leaf = X509Certificate2.CreateFromPem(WebhookTls.Text(secret, "tls.crt"));
                        servingInSecret.TryAdd(leaf.Thumbprint, true);
                    }

                    using var presented = await WebhookTls.ServedCertificateAsync(fixture.Service.Port, stop.Token);
                    served.TryAdd(presented.Thumbprint, true);
                }
                catch (Exception)
                {
                    // An observation between two writes (the next one sees the result), or the end of the run.
                }

                await Task.Delay(200, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        async Task Load(string kind, bool dryRun)
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var name = $"{kind}-{(dryRun ? "dry" : "real")}-{n++}";
                try
                {
                    string? mac;
                    if (kind == "vm")
                    {
                        var vm = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged(name, ("br1", null)), dryRun);
                        mac = Vms.Macs(vm)[0];
                    }
                    else
                    {
                        var pod = await _k.CreatePodAsync(ns.Name, name, new Dictionary<string, string> { [Networks] = """[{"name":"br1"}]""" }, dryRun: dryRun);
                        mac = System.Text.Json.Nodes.JsonNode.Parse(pod.Metadata.Annotations[Networks])![0]!["mac"]?.GetValue<string>();
                    }

                    counts.AddOrUpdate(kind, 1, (_, c) => c + 1);
                    if (string.IsNullOrEmpty(mac))
                    {
                        missingMacs.Enqueue(name);
                    }
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    (WebhookTls.IsWebhookCallFailure(e) ? callFailures : otherFailures).Enqueue($"{name}: {e.Message}");
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    // Cancelled at the end of the run.
                }
            }
        }

        var clock = Stopwatch.StartNew();
        var tasks = new List<Task>
        {
            Task.Run(Observe), Task.Run(() => Load("vm", false)), Task.Run(() => Load("vm", true)),
            Task.Run(() => Load("pod", false)), Task.Run(() => Load("pod", true)),
        };

        // Run until at least two CAs and four serving certificates replaced the first ones (and the minimum time).
        while (clock.Elapsed < MaximumRun && (clock.Elapsed < MinimumRun || cas.Count < 3 || served.Count < 5))
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        var requests = counts.Values.Sum() + callFailures.Count + otherFailures.Count;
        output.WriteLine(
            $"{requests} admission requests in {clock.Elapsed.TotalSeconds:F0} s (VMs {counts.GetValueOrDefault("vm")}, pods {counts.GetValueOrDefault("pod")} admitted); " +
            $"CA rotations {cas.Count - 1}, serving certificates in the Secret {servingInSecret.Count} ({servingInSecret.Count - 1} rotations), " +
            $"certificates presented by the service {served.Count}; webhook call failures {callFailures.Count}, other API errors {otherFailures.Count}");
        foreach (var failure in callFailures.Concat(otherFailures).Take(10))
        {
            output.WriteLine("  " + failure);
        }

        Assert.Empty(callFailures);
        Assert.Empty(missingMacs);
        Assert.True(cas.Count >= 3, $"only {cas.Count - 1} CA rotations were seen");
        Assert.True(served.Count >= 5, $"only {served.Count} distinct certificates were presented");
        Assert.True(counts.GetValueOrDefault("vm") > 0 && counts.GetValueOrDefault("pod") > 0, "both kinds were admitted");
        Assert.True(otherFailures.Count * 100 <= requests, $"{otherFailures.Count} of {requests} requests failed for other reasons");
        await Eventually.TrueAsync(
            async () => await WebhookTls.ProblemAsync(client, fixture.Service.Port) is null,
            "the certificate state to be whole between rotations", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
    }
}
