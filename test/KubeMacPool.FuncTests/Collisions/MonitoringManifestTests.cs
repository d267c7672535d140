using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// config/monitoring renders upstream's monitoring bundle: metrics Service, ServiceMonitor, PrometheusRule with the
/// collision alert, Prometheus RBAC and the dashboard. The Prometheus-operator kinds are checked by content (their
/// CRDs are not in the local cluster); everything else must pass a server-side dry run.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class MonitoringManifestTests(ClusterFixture cluster)
{
    private static readonly string Root = RepositoryPaths.Locate().Root;

    private static async Task<(string Yaml, List<YamlMappingNode> Objects)> RenderAsync()
    {
        var result = await ProcessRunner.RunAsync("kubectl", ["kustomize", Path.Combine(Root, "config", "monitoring")], TimeSpan.FromMinutes(1));
        Assert.True(result.Succeeded, result.Describe());
        var yaml = string.Join('\n', result.OutputLines);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (yaml, stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList());
    }

    private static string Text(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is YamlSequenceNode list ? list.Children[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] : ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public async Task The_bundle_has_upstreams_names_alert_and_scrape_settings()
    {
        var (_, objects) = await RenderAsync();
        YamlMappingNode Of(string kind) => objects.Single(o => Text(o, "kind") == kind);

        var service = Of("Service");
        Assert.Equal("kubemacpool-metrics-service", Text(service, "metadata", "name"));
        Assert.Equal("kubemacpool-system", Text(service, "metadata", "namespace"));
        Assert.Equal("true", Text(service, "metadata", "labels", "prometheus.kubemacpool.io"));
        Assert.Equal("8443", Text(service, "spec", "ports", "0", "port"));
        Assert.Equal("mac-controller-manager", Text(service, "spec", "selector", "control-plane"));

        var monitor = Of("ServiceMonitor");
        Assert.Equal("kubemacpool-metrics-monitor", Text(monitor, "metadata", "name"));
        Assert.Equal("true", Text(monitor, "spec", "selector", "matchLabels", "prometheus.kubemacpool.io"));
        Assert.Equal("https", Text(monitor, "spec", "endpoints", "0", "scheme"));
        Assert.Equal("metrics", Text(monitor, "spec", "endpoints", "0", "port"));
        Assert.Equal("true", Text(monitor, "spec", "endpoints", "0", "tlsConfig", "insecureSkipVerify"));

        var rule = Of("PrometheusRule");
        Assert.Equal("kubemacpool-prometheus-rule", Text(rule, "metadata", "name"));
        var alert = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)rule["spec"]["groups"]).Children[0])["rules"]).Children[0];
        Assert.Equal("KubemacpoolMACCollisionDetected", Text(alert, "alert"));
        Assert.Equal("count(kmp_mac_collisions > 1) > 0", Text(alert, "expr"));
        Assert.Equal("30s", Text(alert, "for"));
        Assert.Equal("warning", Text(alert, "labels", "severity"));
        Assert.Equal("MAC address collisions detected.", Text(alert, "annotations", "summary"));
        Assert.Equal("https://kubevirt.io/monitoring/runbooks/KubemacpoolMACCollisionDetected", Text(alert, "annotations", "runbook_url"));

        var reader = objects.Single(o => Text(o, "kind") == "ClusterRole");
        Assert.Equal("/metrics", Text(reader, "rules", "0", "nonResourceURLs", "0"));
        Assert.Equal("kubemacpool-prometheus", Text(Of("RoleBinding"), "metadata", "name"));

        var dashboard = JsonNode.Parse(Text(Of("ConfigMap"), "data", "kubemacpool.json"))!;
        var queries = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()).ToList();
        Assert.Contains(queries, q => q.Contains("kmp_mac_collisions", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("kubemacpool_admission_duration_seconds_bucket", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("kubemacpool_pool_size", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_api_server_accepts_the_core_objects_in_a_dry_run()
    {
        Assert.SkipUnless(cluster.IsLocal, "a dry run against a shared cluster is left to its operators");
        var (yaml, _) = await RenderAsync();
        var core = yaml.Split("\n---\n").Where(d => !d.Contains("apiVersion: monitoring.coreos.com/", StringComparison.Ordinal));
        var manifest = Path.Combine(Directory.CreateTempSubdirectory("kmp-monitoring-").FullName, "monitoring.yaml");
        await File.WriteAllTextAsync(manifest, string.Join("\n---\n", core));
        var ns = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "create", "namespace", "kubemacpool-system"], TimeSpan.FromSeconds(30));
        Assert.True(ns.Succeeded || ns.Describe().Contains("AlreadyExists", StringComparison.Ordinal), ns.Describe());
        var applied = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "apply", "--dry-run=server", "-f", manifest], TimeSpan.FromMinutes(1));
        Assert.True(applied.Succeeded, applied.Describe());
        var output = string.Join('\n', applied.OutputLines);
        Assert.Contains("service/kubemacpool-metrics-service created (server dry run)", output, StringComparison.Ordinal);
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/kubemacpool-metrics-reader created (server dry run)", output, StringComparison.Ordinal);
    }
}
