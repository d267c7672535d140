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
            ["ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding", "ConfigMap", "CustomResourceDefinition", "CustomResourceDefinition", "Deployment", "MutatingWebhookConfiguration", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount", "ServiceAccount", "ValidatingWebhookConfiguration"],
            objects.Select(o => ((IKubernetesObject)o).Kind).Order(StringComparer.Ordinal));
        var webhooks = objects.OfType<V1MutatingWebhookConfiguration>().Single();
        Assert.Equal("kubemacpool-mutator", webhooks.Metadata.Name);
        Assert.Equal(podsOperator, webhooks.Webhooks.Single(w => w.Name == "mutatepods.kubemacpool.io").NamespaceSelector.MatchExpressions[2].OperatorProperty);
        Assert.Equal(vmsOperator, webhooks.Webhooks.Single(w => w.Name == "mutatevirtualmachines.kubemacpool.io").NamespaceSelector.MatchExpressions[2].OperatorProperty);
        var deployment = objects.OfType<V1Deployment>().Single();
        Assert.Equal("kubemacpool-mac-controller-manager", deployment.Metadata.Name);
        Assert.Equal("kubemacpool-system", deployment.Metadata.NamespaceProperty);
        Assert.All(webhooks.Webhooks, w => Assert.Equal("kubemacpool-service", w.ClientConfig.Service.Name));
        AssertCertificateManagerSettings(objects, deployment);
    }

    /// <summary>
    /// The certificate manager runs in the manager: its four interval knobs parse and obey the rules, it may keep
    /// Secrets in its namespace only (a Role) and inject caBundle (the ClusterRole), and the Deployment never runs two
    /// writers at once.
    /// </summary>
    private static void AssertCertificateManagerSettings(IList<object> objects, V1Deployment deployment)
    {
        // Two replicas, one leader: a rollout never takes the serving replica away before its successor is ready.
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        var budget = objects.OfType<V1PodDisruptionBudget>().Single();
        Assert.Equal("1", budget.Spec.MinAvailable.Value);
        Assert.Equal(deployment.Spec.Selector.MatchLabels["control-plane"], budget.Spec.Selector.MatchLabels["control-plane"]);
        Assert.NotNull(deployment.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
        Assert.Contains(deployment.Spec.Template.Spec.Containers[0].Env, e => e.Name == "POD_IP" && e.ValueFrom.FieldRef.FieldPath == "status.podIP");
        var env = deployment.Spec.Template.Spec.Containers[0].Env.Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);
        Assert.True(
            KubeMacPool.Core.Certificates.RotationIntervals.TryParse(
                env["CA_ROTATE_INTERVAL"], env["CA_OVERLAP_INTERVAL"], env["CERT_ROTATE_INTERVAL"], env["CERT_OVERLAP_INTERVAL"], out var intervals, out var errors),
            string.Join("; ", errors));
        Assert.Equal(KubeMacPool.Core.Certificates.RotationIntervals.Default, intervals);

        var role = objects.OfType<V1Role>().Single();
        Assert.Equal("kubemacpool-system", role.Metadata.NamespaceProperty);
        var secrets = role.Rules.Single(r => r.Resources.Contains("secrets"));
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "create", "update" }, secrets.Verbs.ToHashSet());
        var leases = role.Rules.Single(r => r.Resources.Contains("leases"));
        Assert.Equal(["coordination.k8s.io"], leases.ApiGroups);
        Assert.Superset(new HashSet<string> { "get", "create", "update" }, leases.Verbs.ToHashSet());
        var deployments = role.Rules.Single(r => r.Resources.Contains("deployments"));
        Assert.Equal(["apps"], deployments.ApiGroups);
        Assert.Equal(["create", "delete", "get", "list", "patch", "update", "watch"], deployments.Verbs.Order(StringComparer.Ordinal));
        var binding = objects.OfType<V1RoleBinding>().Single();
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Equal("kubemacpool-sa", binding.Subjects.Single().Name);

        // The agents' account: what --dhcp-agent-service-account names, bound to a read-only ClusterRole.
        var args = deployment.Spec.Template.Spec.Containers[0].Args;
        var agentAccount = objects.OfType<V1ServiceAccount>().Single(a => "--dhcp-agent-service-account=" + a.Metadata.Name == args.Single(a => a.StartsWith("--dhcp-agent-service-account=", StringComparison.Ordinal)));
        var agentBinding = objects.OfType<V1ClusterRoleBinding>().Single(b => b.Subjects.Single().Name == agentAccount.Metadata.Name);
        var agentRole = objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == agentBinding.RoleRef.Name);
        Assert.All(agentRole.Rules.Where(r => !r.Resources.Contains("events")), r => Assert.Equal(["get", "list", "watch"], r.Verbs));

        var clusterRole = objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name != agentRole.Metadata.Name);
        Assert.DoesNotContain(clusterRole.Rules, r => r.Resources.Contains("secrets"));
        var webhookRule = clusterRole.Rules.Single(r => r.Resources.Contains("mutatingwebhookconfigurations"));
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "update", "patch" }, webhookRule.Verbs.ToHashSet());
    }

    private async Task<bool> ServesPolicyV1Async()
    {
        var versions = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "api-versions"], TimeSpan.FromSeconds(30));
        Assert.True(versions.Succeeded, versions.Describe());
        return versions.OutputLines.Contains("policy/v1");
    }

    [Theory]
    [InlineData("release")]
    [InlineData("test")]
    public async Task The_api_server_accepts_every_rendered_object_in_a_dry_run(string overlay)
    {
        Assert.SkipUnless(cluster.IsLocal, "a dry run against a shared cluster is left to its operators");
        var manifest = Path.Combine(Directory.CreateTempSubdirectory("kmp-manifest-").FullName, "kubemacpool.yaml");
        var rendered = await RenderAsync(overlay);
        if (!await ServesPolicyV1Async())
        {
            // The local v1.20 API server predates policy/v1 (Kubernetes 1.21); the budget is loaded strictly above.
            rendered = string.Join("\n---\n", rendered.Split("\n---\n").Where(d => !d.Contains("kind: PodDisruptionBudget", StringComparison.Ordinal)));
        }

        await File.WriteAllTextAsync(manifest, rendered);

        // Namespaced objects need their namespace to exist even in a dry run.
        var ns = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "create", "namespace", "kubemacpool-system"], TimeSpan.FromSeconds(30));
        Assert.True(ns.Succeeded || ns.Describe().Contains("AlreadyExists", StringComparison.Ordinal), ns.Describe());

        var applied = await ProcessRunner.RunAsync(
            "kubectl", ["--kubeconfig", cluster.KubeconfigPath, "apply", "--dry-run=server", "-f", manifest], TimeSpan.FromMinutes(1));
        Assert.True(applied.Succeeded, applied.Describe());
        Assert.Contains("mutatingwebhookconfiguration.admissionregistration.k8s.io/kubemacpool-mutator created (server dry run)", string.Join('\n', applied.OutputLines), StringComparison.Ordinal);
    }
}
