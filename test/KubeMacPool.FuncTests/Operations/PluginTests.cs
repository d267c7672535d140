using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Operations;

/// <summary>Every <c>kubectl macpool</c> verb against the real API server, as an admin and as a namespace-scoped user.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class PluginTests(PluginFixture fixture) : IClassFixture<PluginFixture>
{
    private static IEnumerable<string> Holders(JsonNode result, string list = "holders") =>
        result[list]!.AsArray().Select(h => $"{h!["kind"]} {h["namespace"]}/{h["name"]} {h["interface"]}");

    [Fact]
    public async Task Who_has_finds_the_vm_the_vmi_and_the_pod_whatever_the_spelling()
    {
        var (code, output, _) = await PluginFixture.RunAsync("who-has", "0200.0000.A001", "--kubeconfig", fixture.AdminKubeconfig, "-o", "json");
        Assert.Equal(0, code);
        var result = JsonNode.Parse(output)!;
        Assert.Equal(PluginFixture.SharedMac, result["mac"]!.GetValue<string>());
        Assert.Equal(
            [$"Pod {fixture.TeamB}/pod-b net1", $"VirtualMachine {fixture.TeamA}/vm-a br1", $"VirtualMachineInstance {fixture.TeamA}/vm-a br1"],
            Holders(result));

        var (table, text, _) = await PluginFixture.RunAsync("who-has", "02-00-00-00-A0-01", "--kubeconfig", fixture.AdminKubeconfig);
        Assert.Equal(0, table);
        Assert.StartsWith("KIND", text, StringComparison.Ordinal);
        Assert.Contains($"VirtualMachine           {fixture.TeamA}", text, StringComparison.Ordinal);

        var (none, nobody, _) = await PluginFixture.RunAsync("who-has", "02:00:00:00:a0:99", "--kubeconfig", fixture.AdminKubeconfig);
        Assert.Equal(1, none);
        Assert.Contains("nobody you can see holds 02:00:00:00:a0:99", nobody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collisions_lists_the_colliding_objects_and_exits_1()
    {
        var (code, output, _) = await PluginFixture.RunAsync("collisions", "--kubeconfig", fixture.AdminKubeconfig, "-o", "yaml");
        Assert.Equal(1, code);
        Assert.Contains($"- mac: {PluginFixture.SharedMac}\n  objects:\n  - pod/{fixture.TeamB}/pod-b\n  - vmi/{fixture.TeamA}/vm-a\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_range_names_the_held_macs_a_proposed_range_would_leave_outside()
    {
        var (code, output, _) = await PluginFixture.RunAsync("check-range", "02:00:00:00:00:00", "02:00:00:00:a0:00", "--kubeconfig", fixture.AdminKubeconfig, "-o", "json");
        Assert.Equal(1, code);
        var macs = JsonNode.Parse(output)!["macs"]!.AsArray();
        var shared = macs.Single(m => m!["mac"]!.GetValue<string>() == PluginFixture.SharedMac)!;
        Assert.Equal(3, shared["holders"]!.AsArray().Count);
        Assert.Contains(macs, m => m!["mac"]!.GetValue<string>() == PluginFixture.OutsideMac);

        var (inside, _, _) = await PluginFixture.RunAsync("check-range", "02:00:00:00:00:00", "02:00:00:00:a0:ff", "-n", fixture.TeamA, "--kubeconfig", fixture.AdminKubeconfig);
        Assert.Equal(1, inside); // team A's pod holds 0a:00:00:00:00:01
        var (teamB, tableB, _) = await PluginFixture.RunAsync("check-range", "02:00:00:00:00:00", "02:00:00:00:a0:ff", "-n", fixture.TeamB, "--kubeconfig", fixture.AdminKubeconfig);
        Assert.Equal(0, teamB);
        Assert.Contains("0 of 1 held MACs would be outside", tableB, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_shows_the_published_pool_figures()
    {
        var status = await Eventually.ValueAsync(
            async () => await PluginFixture.RunAsync("status", "--kubeconfig", fixture.AdminKubeconfig, "-o", "json"),
            r => r.Code == 0 && JsonNode.Parse(r.Out)!["collisions"]!.GetValue<int>() >= 1,
            "the published status to show the ready pool with its collision",
            TimeSpan.FromSeconds(30),
            describe: r => $"{r.Code}: {r.Out}{r.Err}",
            cancellationToken: TestContext.Current.CancellationToken);
        var figures = JsonNode.Parse(status.Out)!;
        Assert.Equal(KubeMacPoolService.DefaultRangeStart, figures["rangeStart"]!.GetValue<string>());
        Assert.Equal(16_777_216UL, figures["size"]!.GetValue<ulong>());
        Assert.Equal(1UL, figures["reserved"]!.GetValue<ulong>());
        Assert.True(figures["held"]!.GetValue<long>() >= 1);
        // Free = size - reserved - held inside the range (0a:00:00:00:00:01 is held outside it).
        var (size, held, free) = (figures["size"]!.GetValue<ulong>(), (ulong)figures["held"]!.GetValue<long>(), figures["free"]!.GetValue<ulong>());
        Assert.InRange(free, size - 1 - held, size - 2);
        Assert.True(figures["ready"]!.GetValue<bool>());
        Assert.False(figures["stale"]!.GetValue<bool>());

        var (code, table, _) = await PluginFixture.RunAsync("status", "--kubeconfig", fixture.AdminKubeconfig);
        Assert.Equal(0, code);
        Assert.Matches(@"^RANGE\s+SIZE\s+HELD\s+PENDING\s+FREE\s+RESERVED\s+COLLISIONS\s+READY\s+REPLICAS\n02:00:00:00:00:00-02:00:00:ff:ff:ff\s+16777216\s", table);
    }

    [Fact]
    public async Task A_namespace_scoped_user_sees_only_their_namespace_and_learns_nothing_about_others()
    {
        var (code, output, _) = await PluginFixture.RunAsync("who-has", PluginFixture.SharedMac, "--kubeconfig", fixture.TeamKubeconfig, "-o", "json");
        Assert.Equal(0, code);
        var result = JsonNode.Parse(output)!;
        Assert.Equal([$"VirtualMachine {fixture.TeamA}/vm-a br1", $"VirtualMachineInstance {fixture.TeamA}/vm-a br1"], Holders(result));
        Assert.Contains($"pods: not allowed cluster-wide; only namespace {fixture.TeamA} is shown", result["notes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.DoesNotContain(fixture.TeamB, output, StringComparison.Ordinal);

        // Team B's pod is invisible, so no collision is either.
        var (collisions, none, _) = await PluginFixture.RunAsync("collisions", "--kubeconfig", fixture.TeamKubeconfig);
        Assert.Equal(0, collisions);
        Assert.Contains("no collisions among the running objects you can see", none, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.TeamB, none, StringComparison.Ordinal);

        var (denied, _, deniedError) = await PluginFixture.RunAsync("who-has", PluginFixture.SharedMac, "-n", fixture.TeamB, "--kubeconfig", fixture.TeamKubeconfig, "-o", "json");
        Assert.Equal(1, denied);
        Assert.Equal("", deniedError);

        // Pool-wide figures need a grant on the status ConfigMap: granted for one identity, not the other.
        var status = await Eventually.ValueAsync(
            async () => await PluginFixture.RunAsync("status", "--kubeconfig", fixture.TeamKubeconfig),
            r => r.Code == 0,
            "the scoped user to read the status",
            TimeSpan.FromSeconds(30),
            describe: r => $"{r.Code}: {r.Out}{r.Err}",
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains("02:00:00:00:00:00-02:00:00:ff:ff:ff", status.Out, StringComparison.Ordinal);
        var (blind, _, blindError) = await PluginFixture.RunAsync("status", "--kubeconfig", fixture.NoStatusKubeconfig);
        Assert.Equal(3, blind);
        Assert.Contains("you may not read ConfigMap kubemacpool-system/kubemacpool-pool-status", blindError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_cluster_is_exit_3_and_a_silent_service_exit_4()
    {
        var nowhere = PluginFixture.WriteKubeconfig("nowhere", "https://127.0.0.1:1", "token", "default");
        try
        {
            var (code, _, error) = await PluginFixture.RunAsync("collisions", "--kubeconfig", nowhere);
            Assert.Equal(3, code);
            Assert.StartsWith("error: cannot reach the cluster at https://127.0.0.1:1", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(nowhere);
        }

        var (silent, _, silentError) = await PluginFixture.RunAsync("status", "--service-namespace", "no-such-namespace", "--kubeconfig", fixture.AdminKubeconfig);
        Assert.Equal(4, silent);
        Assert.Contains("kubemacpool is not reporting: ConfigMap no-such-namespace/kubemacpool-pool-status not found", silentError, StringComparison.Ordinal);
    }
}
