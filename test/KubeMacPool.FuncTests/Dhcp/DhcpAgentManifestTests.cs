using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>The per-pool agent template (config/dhcp-agent) renders and the real API server accepts it in a dry run.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class DhcpAgentManifestTests(ClusterFixture cluster)
{
    [Fact]
    public async Task The_agent_template_renders_and_the_api_server_accepts_it()
    {
        Assert.SkipUnless(cluster.IsLocal, "a dry run against a shared cluster is left to its operators");
        var rendered = await ProcessRunner.RunAsync(
            "kubectl", ["kustomize", Path.Combine(RepositoryPaths.Locate().Root, "config", "dhcp-agent")], TimeSpan.FromMinutes(1));
        Assert.True(rendered.Succeeded, rendered.Describe());
        var text = string.Join('\n', rendered.OutputLines);
        Assert.Contains("- dhcp-agent", text, StringComparison.Ordinal);
        Assert.Contains("k8s.v1.cni.cncf.io/networks", text, StringComparison.Ordinal);

        var manifest = Path.Combine(Directory.CreateTempSubdirectory("kmp-agent-").FullName, "agent.yaml");
        await File.WriteAllTextAsync(manifest, text);
        var ns = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "create", "namespace", "kubemacpool-system"], TimeSpan.FromSeconds(30));
        Assert.True(ns.Succeeded || ns.Describe().Contains("AlreadyExists", StringComparison.Ordinal), ns.Describe());
        var applied = await ProcessRunner.RunAsync(
            "kubectl", ["--kubeconfig", cluster.KubeconfigPath, "apply", "--dry-run=server", "-f", manifest], TimeSpan.FromMinutes(1));
        Assert.True(applied.Succeeded, applied.Describe());
        Assert.Contains("deployment.apps/kubemacpool-dhcp-agent-blue created (server dry run)", string.Join('\n', applied.OutputLines), StringComparison.Ordinal);
    }
}
