using System.Net;
using System.Text.RegularExpressions;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// The metrics endpoint as upstream serves it: HTTPS on its own port, a bearer token that passes TokenReview and a
/// SubjectAccessReview for <c>get /metrics</c>; and A10, <c>kubevirt_kmp_duplicate_macs</c> after restarts.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed partial class MetricsEndpointTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : IClassFixture<CollisionServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task Without_a_token_the_answer_is_401()
    {
        var (status, _) = await fixture.ScrapeAsync(token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task An_invalid_token_is_401()
    {
        var (status, _) = await fixture.ScrapeAsync("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task A_valid_token_without_the_rbac_grant_is_403()
    {
        var (status, _) = await fixture.ScrapeAsync(fixture.UngrantedToken);
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task A_granted_token_reads_every_series_in_prometheus_text()
    {
        var (status, body) = await fixture.ScrapeAsync(fixture.AllowedToken);
        Assert.Equal(HttpStatusCode.OK, status);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => DuplicateLine().IsMatch(l));
        foreach (var series in new[]
        {
            "kubemacpool_pool_size", "kubemacpool_macs_held", "kubemacpool_pending_reservations",
            "kubemacpool_mac_allocations_total", "kubemacpool_rebuild_duration_seconds",
        })
        {
            Assert.Contains(lines, l => l.StartsWith(series, StringComparison.Ordinal) && !l.StartsWith('#'));
        }

        Assert.Contains("kubemacpool_pool_size 16777216", lines);
        Assert.DoesNotContain("otel_scope", body, StringComparison.Ordinal);
        Assert.All(lines.Where(l => !l.StartsWith('#')), l => Assert.Equal(2, l.Split(' ').Length));
    }

    [Fact]
    public async Task The_webhook_port_does_not_serve_metrics_and_the_metrics_port_serves_nothing_else()
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        using var onWebhookPort = await http.GetAsync(new Uri($"https://127.0.0.1:{fixture.Service.Port}/metrics"), _k.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, onWebhookPort.StatusCode);
        using var readyOnMetricsPort = await http.GetAsync(new Uri($"https://127.0.0.1:{fixture.Service.MetricsPort}/readyz"), _k.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, readyOnMetricsPort.StatusCode);
    }

    [Fact]
    public async Task Admission_requests_show_in_the_latency_histogram_and_denials()
    {
        var ns = await _k.CreateNamespaceAsync(prefix: "kmp-metrics-adm");
        await _k.CreatePodAsync(ns.Name, "p1", annotations: new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/networks"] = """[{"name":"net1"}]""" });
        await Assert.ThrowsAnyAsync<Exception>(() => _k.CreatePodAsync(ns.Name, "bad", annotations: new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/networks"] = "{" }));
        var text = await fixture.ScrapeAsync();
        Assert.Matches(@"(?m)^kubemacpool_admission_duration_seconds_count\{webhook=""mutatepods.kubemacpool.io""\} [1-9]\d*$", text);
        Assert.Matches(@"(?m)^kubemacpool_admission_denials_total\{reason=""invalid"",webhook=""mutatepods.kubemacpool.io""\} [1-9]\d*$", text);
        Assert.Matches(@"(?m)^kubemacpool_mac_allocations_total\{source=""range""\} [1-9]\d*$", text);
    }

    /// <summary>
    /// A10: a VM in an opted-out namespace shares a MAC with a managed one; once that namespace is managed, the restart
    /// finds the duplicate. Counted against the value before (other test classes may leave VMs behind while their
    /// namespaces are being deleted); upstream expects 1 on a clean cluster.
    /// </summary>
    [Fact]
    public async Task Duplicate_macs_found_at_restart_are_counted()
    {
        await fixture.Service.RestartAsync();
        var baseline = await fixture.DuplicateMacsAsync();
        var test = await _k.CreateNamespaceAsync(prefix: "kmp-dup");
        var other = await _k.CreateNamespaceAsync(new Dictionary<string, string> { [KubeMacPoolService.VirtualMachinesWebhook] = "ignore" }, prefix: "kmp-dup-alt");
        var vm1 = await _k.CreateVirtualMachineAsync(test.Name, Vms.Bridged("vm1", ("br1", "02:00:ff:ff:ff:ff")));
        Assert.Equal(["02:00:ff:ff:ff:ff"], Vms.Macs(vm1));
        await _k.CreateVirtualMachineAsync(other.Name, Vms.Bridged("vm2", ("br1", "02:00:ff:ff:ff:ff")));

        await other.RemoveLabelsAsync(KubeMacPoolService.VirtualMachinesWebhook);
        await fixture.Service.RestartAsync();
        Assert.Equal(baseline + 1, await fixture.DuplicateMacsAsync());

        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachines, other.Name, "vm2");
        await _k.EventuallyAsync(async () => await TestCluster.TryAsync(() => _k.GetVirtualMachineAsync(other.Name, "vm2")) is null, "vm2 to be gone");
        await fixture.Service.RestartAsync();
        Assert.Equal(baseline, await fixture.DuplicateMacsAsync());
    }

    [GeneratedRegex(@"^kubevirt_kmp_duplicate_macs \d+$")]
    private static partial Regex DuplicateLine();
}
