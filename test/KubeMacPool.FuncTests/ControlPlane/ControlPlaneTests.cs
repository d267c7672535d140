using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.FuncTests.Harness;

namespace KubeMacPool.FuncTests.ControlPlane;

/// <summary>Proves the harness is real: the API server calls webhooks over TLS, evaluates selectors, applies
/// patches, enforces failurePolicy, and the controller-manager collects garbage and deletes namespaces.</summary>
public sealed class ControlPlaneTests(ClusterFixture cluster)
{
    private readonly IKubernetes _client = cluster.Client;

    [Fact]
    public async Task The_apiserver_calls_a_webhook_only_for_selected_namespaces_and_applies_its_patch()
    {
        Assert.SkipUnless(cluster.IsLocal, "needs the local control plane (webhook by URL on 127.0.0.1)");
        using var ca = new TestCertificateAuthority();
        await using var webhook = await TinyWebhook.StartAsync(ca);
        var label = KubeHelpers.UniqueName("kmp-select");
        await using var selected = await _client.CreateNamespaceAsync(new Dictionary<string, string> { [label] = "yes" });
        await using var other = await _client.CreateNamespaceAsync();
        var configuration = KubeHelpers.UniqueName("kmp-harness");
        await _client.RegisterAsync(configuration, webhook.Port, ca.CaBundle,
        [
            new WebhookSpec("tiny.kubemacpool.io", "/mutate", WebhookRegistration.PodCreateRule(),
                NamespaceSelector: new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [label] = "yes" } }),
        ]);
        try
        {
            var mutated = await _client.CreatePodAsync(selected.Name, "p1");
            var untouched = await _client.CreatePodAsync(other.Name, "p1");

            Assert.Equal("yes", mutated.Metadata.Annotations?[TinyWebhook.AnnotationKey]);
            Assert.Null(untouched.Metadata.Annotations);
            Assert.Contains(selected.Name, webhook.CalledFor);
            Assert.DoesNotContain(other.Name, webhook.CalledFor);
            var stored = await _client.CoreV1.ReadNamespacedPodAsync("p1", selected.Name);
            Assert.Equal("yes", stored.Metadata.Annotations[TinyWebhook.AnnotationKey]);
        }
        finally
        {
            await WebhookRegistration.DeleteAsync(_client, configuration);
        }
    }

    [Fact]
    public async Task With_the_webhook_down_and_failure_policy_fail_the_create_is_refused()
    {
        Assert.SkipUnless(cluster.IsLocal, "needs the local control plane (webhook by URL on 127.0.0.1)");
        using var ca = new TestCertificateAuthority();
        var webhook = await TinyWebhook.StartAsync(ca);
        var port = webhook.Port;
        await webhook.StopAsync();
        await webhook.DisposeAsync();
        var label = KubeHelpers.UniqueName("kmp-down");
        await using var ns = await _client.CreateNamespaceAsync(new Dictionary<string, string> { [label] = "yes" });
        var configuration = KubeHelpers.UniqueName("kmp-harness");
        await _client.RegisterAsync(configuration, port, ca.CaBundle,
        [
            new WebhookSpec("tiny.kubemacpool.io", "/mutate", WebhookRegistration.PodCreateRule(),
                NamespaceSelector: new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [label] = "yes" } }),
        ]);
        try
        {
            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CreatePodAsync(ns.Name, "p1"));
            Assert.Contains("tiny.kubemacpool.io", refused.Response.Content, StringComparison.Ordinal);
        }
        finally
        {
            await WebhookRegistration.DeleteAsync(_client, configuration);
        }
    }

    [Fact]
    public async Task Garbage_collection_deletes_objects_whose_owner_is_gone()
    {
        await using var ns = await _client.CreateNamespaceAsync();
        var owner = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns.Name);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = "dependent",
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }],
                },
            },
            ns.Name);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns.Name);

        await KubeHelpers.EventuallyAsync(
            async () => !await KubeHelpers.ExistsAsync(() => _client.CoreV1.ReadNamespacedConfigMapAsync("dependent", ns.Name)),
            "the dependent ConfigMap to be garbage-collected", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Namespace_deletion_completes()
    {
        var ns = await _client.CreateNamespaceAsync();
        await _client.CreatePodAsync(ns.Name, "p1");
        await ns.DisposeAsync();
        await KubeHelpers.EventuallyAsync(
            async () => !await KubeHelpers.ExistsAsync(() => _client.CoreV1.ReadNamespaceAsync(ns.Name)),
            "the namespace to be deleted", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Virtual_machines_keep_fields_the_crd_does_not_describe()
    {
        await using var ns = await _client.CreateNamespaceAsync();
        var vm = new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1",
            ["kind"] = "VirtualMachine",
            ["metadata"] = new JsonObject { ["name"] = "vm1" },
            ["spec"] = new JsonObject { ["runStrategy"] = "Halted", ["template"] = new JsonObject { ["spec"] = new JsonObject { ["domain"] = new JsonObject { ["devices"] = new JsonObject { ["disks"] = new JsonArray(new JsonObject { ["name"] = "d", ["io"] = "native" }) } } } } },
        };
        await _client.CreateKubeVirtObjectAsync(ns.Name, "virtualmachines", vm);
        var stored = await _client.GetKubeVirtObjectAsync(ns.Name, "virtualmachines", "vm1");
        Assert.Equal("native", stored!["spec"]!["template"]!["spec"]!["domain"]!["devices"]!["disks"]![0]!["io"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ipam_claims_require_network_and_interface()
    {
        await using var ns = await _client.CreateNamespaceAsync();
        var claim = new JsonObject
        {
            ["apiVersion"] = "k8s.cni.cncf.io/v1alpha1",
            ["kind"] = "IPAMClaim",
            ["metadata"] = new JsonObject { ["name"] = "vm1.net" },
            ["spec"] = new JsonObject { ["network"] = "net" },
        };
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CustomObjects.CreateNamespacedCustomObjectAsync(claim, "k8s.cni.cncf.io", "v1alpha1", ns.Name, "ipamclaims"));
        Assert.Contains("spec.interface", refused.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_phase_is_set_through_the_status_subresource()
    {
        await using var ns = await _client.CreateNamespaceAsync();
        await _client.CreatePodAsync(ns.Name, "p1");
        await _client.SetPodPhaseAsync(ns.Name, "p1", "Running");
        Assert.Equal("Running", (await _client.CoreV1.ReadNamespacedPodAsync("p1", ns.Name)).Status.Phase);
    }
}
