using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Ipam;

/// <summary>The release manifests carry the launcher-pod webhook and the RBAC persistent IPs need (rendered with kustomize).</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class IpamManifestTests
{
    [Fact]
    public async Task The_release_manifests_register_the_launcher_pod_webhook_and_grant_claims()
    {
        var root = RepositoryPaths.Locate().Root;
        var result = await ProcessRunner.RunAsync(
            "kubectl", ["kustomize", "--load-restrictor=LoadRestrictionsNone", Path.Combine(root, "config", "release")], TimeSpan.FromMinutes(1));
        Assert.True(result.Succeeded, result.Describe());
        var objects = KubernetesYaml.LoadAllFromString(string.Join('\n', result.OutputLines), strict: true);

        var webhook = objects.OfType<V1MutatingWebhookConfiguration>().Single().Webhooks.Single(w => w.Name == "ipam-claims.kubemacpool.io");
        Assert.Equal("/mutate-launcher-pods", webhook.ClientConfig.Service.Path);
        Assert.Equal("virt-launcher", webhook.ObjectSelector.MatchLabels["kubevirt.io"]);
        Assert.Equal(["CREATE", "UPDATE"], webhook.Rules.Single().Operations);
        Assert.Equal(["pods"], webhook.Rules.Single().Resources);
        Assert.Equal("Fail", webhook.FailurePolicy);

        var rules = objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "kubemacpool-manager-role").Rules;
        bool Grants(string group, string resource, params string[] verbs) =>
            rules.Any(r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource) && verbs.All(r.Verbs.Contains));
        Assert.True(Grants("k8s.cni.cncf.io", "ipamclaims", "get", "list", "watch", "create", "update", "patch"));
        Assert.False(Grants("k8s.cni.cncf.io", "ipamclaims", "delete"));
        Assert.True(Grants("k8s.cni.cncf.io", "network-attachment-definitions", "get", "list", "watch"));
        Assert.True(Grants("kubevirt.io", "virtualmachines/finalizers", "update"));
        Assert.True(Grants("kubevirt.io", "virtualmachineinstances/finalizers", "update"));
    }
}
