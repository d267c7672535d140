using System.Diagnostics;
using System.Text;
using k8s;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Certificates;

/// <summary>
/// Upstream's certificate scenarios (spec §8.1 F) and more, against the real API server calling the real service:
/// whatever is broken — the serving Secret, the CA Secret, caBundle, the key — the manager repairs it, the API
/// server trusts the webhook again and a dry-run VM gets a MAC. Each test reports how long healing took.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class CertificateHealingTests(ClusterFixture cluster, KubeMacPoolServiceFixture fixture, ITestOutputHelper output)
    : IClassFixture<KubeMacPoolServiceFixture>, IAsyncLifetime
{
    private static readonly TimeSpan HealingLimit = TimeSpan.FromMinutes(2);
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    private IKubernetes Client => cluster.Client;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task Deleting_the_service_secret_gives_a_new_certificate_a_new_bundle_and_a_working_webhook()
    {
        var ns = await _k.CreateNamespaceAsync();
        await AssertHealthyAsync(ns.Name);
        var oldSecret = (await WebhookTls.ReadSecretAsync(Client, WebhookTls.ServingSecret))!;
        var oldBundles = await WebhookTls.ReadBundlesAsync(Client);

        var healed = await MeasureAsync(ns.Name, () => Client.CoreV1.DeleteNamespacedSecretAsync(WebhookTls.ServingSecret, KubeMacPoolService.Namespace));

        var newSecret = (await WebhookTls.ReadSecretAsync(Client, WebhookTls.ServingSecret))!;
        Assert.Equal("kubernetes.io/tls", newSecret.Type);
        Assert.NotEqual(WebhookTls.Text(oldSecret, "tls.crt"), WebhookTls.Text(newSecret, "tls.crt"));
        var newBundles = await WebhookTls.ReadBundlesAsync(Client);
        Assert.All(newBundles.Zip(oldBundles), pair => Assert.NotEqual(pair.Second, pair.First));
        Report("service Secret deleted", healed);
    }

    [Theory]
    [InlineData("blank")]
    [InlineData("garbage")]
    public async Task A_wiped_or_corrupted_ca_bundle_is_repaired(string how)
    {
        var ns = await _k.CreateNamespaceAsync();
        await AssertHealthyAsync(ns.Name);
        var oldBundles = await WebhookTls.ReadBundlesAsync(Client);

        var broken = how == "blank" ? null : Encoding.UTF8.GetBytes("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        var healed = await MeasureAsync(ns.Name, () => WebhookTls.SetBundlesAsync(Client, broken));

        var newBundles = await WebhookTls.ReadBundlesAsync(Client);
        Assert.All(newBundles, b => Assert.StartsWith("-----BEGIN CERTIFICATE-----", b, StringComparison.Ordinal));
        Assert.All(newBundles.Zip(oldBundles), pair => Assert.NotEqual(pair.Second, pair.First));
        Report($"caBundle {how}", healed);
    }

    [Fact]
    public async Task A_key_that_does_not_match_the_certificate_is_healed()
    {
        var ns = await _k.CreateNamespaceAsync();
        await AssertHealthyAsync(ns.Name);
        var secret = (await WebhookTls.ReadSecretAsync(Client, WebhookTls.ServingSecret))!;
        var oldCertificate = WebhookTls.Text(secret, "tls.crt");
        using var foreign = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        secret.Data["tls.key"] = Encoding.UTF8.GetBytes(foreign.ExportPkcs8PrivateKeyPem());

        var healed = await MeasureAsync(ns.Name, () => Client.CoreV1.ReplaceNamespacedSecretAsync(secret, WebhookTls.ServingSecret, KubeMacPoolService.Namespace));

        var repaired = (await WebhookTls.ReadSecretAsync(Client, WebhookTls.ServingSecret))!;
        Assert.NotEqual(oldCertificate, WebhookTls.Text(repaired, "tls.crt"));
        using var pair = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            WebhookTls.Text(repaired, "tls.crt"), WebhookTls.Text(repaired, "tls.key"));
        Assert.True(pair.HasPrivateKey);
        Report("tls.key replaced by a foreign key", healed);
    }

    [Fact]
    public async Task Deleting_the_ca_secret_gives_a_new_ca_and_a_working_webhook()
    {
        var ns = await _k.CreateNamespaceAsync();
        await AssertHealthyAsync(ns.Name);
        var oldCa = WebhookTls.Text((await WebhookTls.ReadSecretAsync(Client, WebhookTls.CaSecret))!, "ca.crt");

        var healed = await MeasureAsync(ns.Name, () => Client.CoreV1.DeleteNamespacedSecretAsync(WebhookTls.CaSecret, KubeMacPoolService.Namespace));

        var newCa = (await WebhookTls.ReadSecretAsync(Client, WebhookTls.CaSecret))!;
        Assert.NotEqual(oldCa, WebhookTls.Text(newCa, "ca.crt"));
        Assert.Contains("PRIVATE KEY", WebhookTls.Text(newCa, "ca.key"), StringComparison.Ordinal);
        Report("CA Secret deleted", healed);
    }

    private sealed record Healing(TimeSpan UntilWebhookWorks, TimeSpan UntilConsistent, int FailedCalls, string? FirstFailure);

    /// <summary>
    /// Breaks something, then (1) retries a dry-run VM create every 100 ms until it returns a MAC, counting calls the
    /// API server could not make, and (2) waits until the state is whole again: what the service serves is the
    /// certificate in the Secret and verifies against every caBundle.
    /// </summary>
    private async Task<Healing> MeasureAsync(string ns, Func<Task> breakIt)
    {
        await breakIt();
        var clock = Stopwatch.StartNew();
        var failed = 0;
        string? firstFailure = null;
        while (true)
        {
            try
            {
                var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged(TestCluster.UniqueName("dry"), ("br1", null)), dryRun: true);
                Assert.NotNull(Vms.Macs(vm)[0]);
                break;
            }
            catch (Exception e) when (WebhookTls.IsWebhookCallFailure(e) && clock.Elapsed < HealingLimit)
            {
                failed++;
                firstFailure ??= e.Message;
                await Task.Delay(100);
            }
        }

        var untilWebhook = clock.Elapsed;
        await AssertHealthyAsync(ns);
        return new Healing(untilWebhook, clock.Elapsed, failed, firstFailure);
    }

    /// <summary>
    /// Waits until the certificate state is whole and steady: both Secrets hold matching pairs, the service serves
    /// the serving Secret's certificate, the current CA (first in ca.crt) signed it, and it verifies against every
    /// caBundle. Then a dry-run VM must get a MAC.
    /// </summary>
    private async Task AssertHealthyAsync(string ns)
    {
        var problem = "";
        await Eventually.TrueAsync(async () =>
        {
            problem = await WebhookTls.ProblemAsync(Client, fixture.Service.Port) ?? "";
            return problem.Length == 0;
        }, "the certificate state to be whole", HealingLimit, TimeSpan.FromMilliseconds(100));
        Assert.Equal("", problem);
        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged(TestCluster.UniqueName("dry"), ("br1", null)), dryRun: true);
        Assert.Matches("^02:00:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$", Vms.Macs(vm)[0]);
    }

    private void Report(string what, Healing healed) =>
        output.WriteLine(
            $"{what}: webhook usable after {healed.UntilWebhookWorks.TotalMilliseconds:F0} ms ({healed.FailedCalls} refused calls" +
            $"{(healed.FirstFailure is null ? "" : ", first: " + healed.FirstFailure)}); state whole after {healed.UntilConsistent.TotalMilliseconds:F0} ms");
}
