using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Harness;

/// <summary>
/// Proves that the API server really calls an HTTPS webhook on 127.0.0.1 (url clientConfig + caBundle), honours its
/// namespaceSelector, applies its JSON Patch, and refuses creates when a Fail-policy webhook is down.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class WebhookHarnessTests(ClusterFixture cluster) : IAsyncLifetime
{
    private const string SelectorLabel = "functest.kubemacpool.io/webhook";
    private const string MutatedAnnotation = "functest.kubemacpool.io/mutated";

    // Unique per test: namespaces of earlier tests may still be terminating with their labels.
    private readonly string _selectorValue = TestCluster.UniqueName("sel");
    private TestCertificateAuthority _ca = null!;
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _servingCertificate = null!;
    private TestWebhookServer _server = null!;
    private TestCluster _k = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(
            cluster.IsLocal,
            "In-test webhooks listen on 127.0.0.1 of the test process, which only the local control plane can reach.");
        _k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        _ca = TestCertificateAuthority.Create();
        _servingCertificate = _ca.IssueServerCertificate();
        _server = await TestWebhookServer.StartAsync(_servingCertificate, "/mutate-pods", TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_k is not null)
        {
            await _k.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _servingCertificate?.Dispose();
        _ca?.Dispose();
    }

    [Fact(Timeout = 60_000)]
    public async Task Webhook_is_called_for_pods_in_a_matching_namespace_and_not_for_others()
    {
        var selected = await _k.CreateNamespaceAsync(SelectedLabels);
        var other = await _k.CreateNamespaceAsync();
        await using var webhook = await RegisterPodWebhookAsync(selected.Name, TestContext.Current.CancellationToken);

        await _k.CreatePodAsync(selected.Name, "in-scope");
        await _k.CreatePodAsync(other.Name, "out-of-scope");

        var call = Assert.Single(_server.CallsFor(selected.Name, "in-scope"));
        Assert.Equal("CREATE", call.Operation);
        Assert.Equal("Pod", call.Kind);
        Assert.False(call.DryRun);
        Assert.Equal("admission.k8s.io/v1", call.ReviewApiVersion);
        Assert.Empty(_server.CallsFor(other.Name));
    }

    [Fact(Timeout = 60_000)]
    public async Task Json_patch_returned_by_the_webhook_is_applied_to_the_stored_pod()
    {
        var ns = await _k.CreateNamespaceAsync(SelectedLabels);
        _server.Handler = call => AdmissionReply.AllowWithPatch(AdmissionReply.AddAnnotationPatch(call.ObjectJson, MutatedAnnotation, call.Uid));
        await using var webhook = await RegisterPodWebhookAsync(ns.Name, TestContext.Current.CancellationToken);

        var withAnnotations = await _k.CreatePodAsync(ns.Name, "annotated", annotations: new Dictionary<string, string> { ["user"] = "kept" });
        var withoutAnnotations = await _k.CreatePodAsync(ns.Name, "bare");

        var stored = await _k.GetPodAsync(ns.Name, "annotated");
        var uid = Assert.Single(_server.CallsFor(ns.Name, "annotated")).Uid;
        Assert.Equal(uid, stored.Metadata.Annotations[MutatedAnnotation]);
        Assert.Equal("kept", stored.Metadata.Annotations["user"]);
        Assert.Equal(uid, withAnnotations.Metadata.Annotations[MutatedAnnotation]);

        var bare = await _k.GetPodAsync(ns.Name, "bare");
        Assert.Equal(Assert.Single(_server.CallsFor(ns.Name, "bare")).Uid, bare.Metadata.Annotations[MutatedAnnotation]);
        Assert.Equal(bare.Metadata.Annotations, withoutAnnotations.Metadata.Annotations);
    }

    [Fact(Timeout = 60_000)]
    public async Task Create_is_refused_while_a_Fail_policy_webhook_is_down_and_admitted_once_the_policy_is_Ignore()
    {
        var ns = await _k.CreateNamespaceAsync(SelectedLabels);
        await using var webhook = await RegisterPodWebhookAsync(ns.Name, TestContext.Current.CancellationToken);
        var webhookName = Assert.Single(webhook.Current.Webhooks).Name;
        await _server.StopAsync();

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => _k.CreatePodAsync(ns.Name, "refused"));
        Assert.Contains($"failed calling webhook \"{webhookName}\"", refused.StatusMessage, StringComparison.Ordinal);
        // Usually "connection refused"; a keep-alive connection the server just closed can surface as EOF instead.
        Assert.Null(await _k.TryGetPodAsync(ns.Name, "refused"));

        await webhook.UpdateAsync(PodWebhook(webhook.Name) with { FailurePolicy = "Ignore" }, TestContext.Current.CancellationToken);
        await _k.EventuallyAsync(
            async () =>
            {
                try
                {
                    await _k.CreatePodAsync(ns.Name, TestCluster.UniqueName("ignored"), dryRun: true);
                    return true;
                }
                catch (KubernetesApiException ex) when (ex.StatusMessage.Contains(webhookName, StringComparison.Ordinal))
                {
                    return false;
                }
            },
            "a dry-run create to pass once the webhook's failurePolicy is Ignore");
        await _k.CreatePodAsync(ns.Name, "admitted");
        Assert.NotNull(await _k.TryGetPodAsync(ns.Name, "admitted"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Removing_the_namespace_label_stops_the_calls_and_restoring_it_resumes_them()
    {
        var ns = await _k.CreateNamespaceAsync(SelectedLabels);
        await using var webhook = await RegisterPodWebhookAsync(ns.Name, TestContext.Current.CancellationToken);

        await ns.RemoveLabelsAsync(SelectorLabel);
        await _k.EventuallyAsync(async () => !await ProbeReachesWebhookAsync(ns.Name), "the webhook to stop being called after the label was removed");

        await ns.SetLabelAsync(SelectorLabel, _selectorValue);
        await _k.EventuallyAsync(() => ProbeReachesWebhookAsync(ns.Name), "the webhook to be called again after the label was restored");
    }

    [Fact(Timeout = 60_000)]
    public async Task Webhook_mutates_a_VirtualMachine_custom_resource_and_sees_dry_runs()
    {
        var ns = await _k.CreateNamespaceAsync(SelectedLabels);
        _server.Handler = call => call.Kind == "VirtualMachine"
            ? AdmissionReply.AllowWithPatch(AdmissionReply.AddAnnotationPatch(call.ObjectJson, MutatedAnnotation, "vm"))
            : AdmissionReply.Allow();
        var name = TestCluster.UniqueName("kmp-webhook-vm");
        await using var webhook = await WebhookRegistration.CreateAsync(
            _k.Client,
            name,
            PodWebhook(name) with { Rules = [WebhookRules.VirtualMachines("CREATE", "UPDATE")] },
            TestContext.Current.CancellationToken);
        await _k.EventuallyAsync(
            async () =>
            {
                var probe = TestCluster.UniqueName("probe");
                await _k.CreateVirtualMachineAsync(ns.Name, SampleVirtualMachine(probe), dryRun: true);
                return _server.CallsFor(ns.Name, probe).Count > 0;
            },
            "the VirtualMachine webhook to become active");

        var dryRun = await _k.CreateVirtualMachineAsync(ns.Name, SampleVirtualMachine("dry"), dryRun: true);
        Assert.True(Assert.Single(_server.CallsFor(ns.Name, "dry")).DryRun);
        Assert.Equal("vm", dryRun["metadata"]?["annotations"]?[MutatedAnnotation]?.GetValue<string>());
        Assert.Null(await _k.TryGetCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "dry"));

        await _k.CreateVirtualMachineAsync(ns.Name, SampleVirtualMachine("stored"));
        var stored = await _k.GetVirtualMachineAsync(ns.Name, "stored");
        Assert.Equal("vm", stored["metadata"]?["annotations"]?[MutatedAnnotation]?.GetValue<string>());
        Assert.False(Assert.Single(_server.CallsFor(ns.Name, "stored")).DryRun);
    }

    private Dictionary<string, string> SelectedLabels => new() { [SelectorLabel] = _selectorValue };

    private MutatingWebhookSpec PodWebhook(string configName) => new()
    {
        // Webhook names must be fully qualified; the config name keeps them unique across tests.
        Name = $"{configName}.functest.kubemacpool.io",
        Endpoint = WebhookEndpoint.ForCluster(cluster, _server.Port, _server.Path, _ca.CertificatePem),
        Rules = [WebhookRules.Pods("CREATE")],
        NamespaceSelector = WebhookRules.MatchLabels((SelectorLabel, _selectorValue)),
        FailurePolicy = "Fail",
        SideEffects = "None",
        TimeoutSeconds = 5,
    };

    /// <summary>Registers the pod webhook for one namespace and waits until the API server is calling it.</summary>
    private async Task<WebhookRegistration> RegisterPodWebhookAsync(string ns, CancellationToken cancellationToken)
    {
        var name = TestCluster.UniqueName("kmp-webhook");
        var registration = await WebhookRegistration.CreateAsync(_k.Client, name, PodWebhook(name), cancellationToken);
        try
        {
            await _k.EventuallyAsync(() => ProbeReachesWebhookAsync(ns), $"webhook {name} to become active for namespace {ns}");
            return registration;
        }
        catch
        {
            await registration.DisposeAsync();
            throw;
        }
    }

    /// <summary>Dry-run creates a uniquely named pod (nothing is stored) and says whether the webhook saw it.</summary>
    private async Task<bool> ProbeReachesWebhookAsync(string ns)
    {
        var probe = TestCluster.UniqueName("probe");
        await _k.CreatePodAsync(ns, probe, dryRun: true);
        return _server.CallsFor(ns, probe).Count > 0;
    }

    private static JsonObject SampleVirtualMachine(string name) => TestCluster.ParseObject($$"""
        {
          "apiVersion": "kubevirt.io/v1",
          "kind": "VirtualMachine",
          "metadata": { "name": "{{name}}" },
          "spec": {
            "runStrategy": "Halted",
            "template": {
              "spec": {
                "domain": { "devices": { "interfaces": [ { "name": "default", "masquerade": {} } ] } },
                "networks": [ { "name": "default", "pod": {} } ]
              }
            }
          }
        }
        """);
}
