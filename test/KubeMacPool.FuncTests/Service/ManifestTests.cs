using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Service;

/// <summary>
/// The deployment manifests as users get them: rendered with kustomize, loaded strictly (an unknown or misspelled
/// field fails), and accepted by the real API server in a server-side dry run.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class ManifestTests(ClusterFixture cluster)
{
    private static readonly string Root = RepositoryPaths.Locate().Root;

    private static async Task<string> RenderAsync(string overlay)
    {
        var result = await ProcessRunner.RunAsync(
            "kubectl", ["kustomize", "--load-restrictor=LoadRestrictionsNone", Path.Combine(Root, "config", overlay)], TimeSpan.FromMinutes(1));
        Assert.True(result.Succeeded, result.Describe());
        return string.Join('\n', result.OutputLines);
    }

    [Theory]
    [InlineData("release", "In", "NotIn")]
    [InlineData("test", "NotIn", "NotIn")]
    public async Task Overlays_render_strictly_valid_objects_with_the_expected_opt_modes(string overlay, string podsOperator, string vmsOperator)
    {
        var objects = KubernetesYaml.LoadAllFromString(await RenderAsync(overlay), strict: true);
        Assert.Equal(
            ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "CustomResourceDefinition", "CustomResourceDefinition", "Deployment", "MutatingWebhookConfiguration", "Namespace", "NetworkPolicy", "Service", "ServiceAccount", "ValidatingWebhookConfiguration"],
            objects.Select(o => ((IKubernetesObject)o).Kind).Order(StringComparer.Ordinal));
        var webhooks = objects.OfType<V1MutatingWebhookConfiguration>().Single();
        Assert.Equal("kubemacpool-mutator", webhooks.Metadata.Name);
        Assert.Equal(podsOperator, webhooks.Webhooks.Single(w => w.Name == "mutatepods.kubemacpool.io").NamespaceSelector.MatchExpressions[2].OperatorProperty);
        Assert.Equal(vmsOperator, webhooks.Webhooks.Single(w => w.Name == "mutatevirtualmachines.kubemacpool.io").NamespaceSelector.MatchExpressions[2].OperatorProperty);
        var deployment = objects.OfType<V1Deployment>().Single();
        Assert.Equal("kubemacpool-mac-controller-manager", deployment.Metadata.Name);
        Assert.Equal("kubemacpool-system", deployment.Metadata.NamespaceProperty);
        Assert.All(webhooks.Webhooks, w => Assert.Equal("kubemacpool-service", w.ClientConfig.Service.Name));
    }

    [Theory]
    [InlineData("release")]
    [InlineData("test")]
    public async Task The_api_server_accepts_every_rendered_object_in_a_dry_run(string overlay)
    {
        Assert.SkipUnless(cluster.IsLocal, "a dry run against a shared cluster is left to its operators");
        var manifest = Path.Combine(Directory.CreateTempSubdirectory("kmp-manifest-").FullName, "kubemacpool.yaml");
        await File.WriteAllTextAsync(manifest, await RenderAsync(overlay));

        // Namespaced objects need their namespace to exist even in a dry run.
        var ns = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "create", "namespace", "kubemacpool-system"], TimeSpan.FromSeconds(30));
        Assert.True(ns.Succeeded || ns.Describe().Contains("AlreadyExists", StringComparison.Ordinal), ns.Describe());

        var applied = await ProcessRunner.RunAsync(
            "kubectl", ["--kubeconfig", cluster.KubeconfigPath, "apply", "--dry-run=server", "-f", manifest], TimeSpan.FromMinutes(1));
        Assert.True(applied.Succeeded, applied.Describe());
        Assert.Contains("mutatingwebhookconfiguration.admissionregistration.k8s.io/kubemacpool-mutator created (server dry run)", string.Join('\n', applied.OutputLines), StringComparison.Ordinal);
    }
}
