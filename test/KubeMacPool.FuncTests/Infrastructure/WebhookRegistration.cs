using System.Text;
using k8s;
using k8s.Models;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>
/// Where the API server sends AdmissionReviews: a <c>url</c> (the local control plane calls https://127.0.0.1:PORT/path
/// directly) or a <c>service</c> reference (a real cluster, through the Service in front of the webhook pod).
/// </summary>
public sealed record WebhookEndpoint
{
    private WebhookEndpoint(string caBundlePem, string? url, Admissionregistrationv1ServiceReference? service)
    {
        CaBundlePem = caBundlePem;
        Url = url;
        Service = service;
    }

    public string CaBundlePem { get; }

    public string? Url { get; }

    public Admissionregistrationv1ServiceReference? Service { get; }

    /// <summary><c>url: https://127.0.0.1:PORT/path</c>, for the local control plane.</summary>
    public static WebhookEndpoint ForLoopback(int port, string path, string caBundlePem) =>
        ForUrl(new Uri($"https://127.0.0.1:{port}/{path.TrimStart('/')}"), caBundlePem);

    public static WebhookEndpoint ForUrl(Uri url, string caBundlePem) =>
        new(caBundlePem, url.AbsoluteUri, null);

    /// <summary><c>service: {namespace, name, port, path}</c>, for a real cluster.</summary>
    public static WebhookEndpoint ForService(string ns, string name, string path, string caBundlePem, int port = 443) =>
        new(caBundlePem, null, new Admissionregistrationv1ServiceReference
        {
            NamespaceProperty = ns,
            Name = name,
            Path = "/" + path.TrimStart('/'),
            Port = port,
        });

    /// <summary>The loopback URL on the local control plane; the Service otherwise.</summary>
    public static WebhookEndpoint ForCluster(
        ClusterFixture cluster,
        int loopbackPort,
        string path,
        string caBundlePem,
        (string Namespace, string Name, int Port)? service = null)
    {
        if (cluster.IsLocal)
        {
            return ForLoopback(loopbackPort, path, caBundlePem);
        }

        var (ns, name, port) = service ?? throw new InvalidOperationException(
            "On an external cluster a webhook needs a Service reference: the API server cannot reach 127.0.0.1 of the test process.");
        return ForService(ns, name, path, caBundlePem, port);
    }

    public Admissionregistrationv1WebhookClientConfig ToClientConfig() => new()
    {
        Url = Url,
        Service = Service,
        CaBundle = Encoding.UTF8.GetBytes(CaBundlePem),
    };
}

/// <summary>One webhook inside a MutatingWebhookConfiguration.</summary>
public sealed record MutatingWebhookSpec
{
    /// <summary>A fully qualified name with at least three labels, e.g. <c>pods.functest.kubemacpool.io</c>.</summary>
    public required string Name { get; init; }

    public required WebhookEndpoint Endpoint { get; init; }

    public required IReadOnlyList<V1RuleWithOperations> Rules { get; init; }

    public V1LabelSelector? NamespaceSelector { get; init; }

    public V1LabelSelector? ObjectSelector { get; init; }

    /// <summary>Fail (default) or Ignore.</summary>
    public string FailurePolicy { get; init; } = "Fail";

    /// <summary>None (default), NoneOnDryRun, Some or Unknown (only None/NoneOnDryRun are allowed in v1).</summary>
    public string SideEffects { get; init; } = "None";

    public IReadOnlyList<string> AdmissionReviewVersions { get; init; } = ["v1", "v1beta1"];

    public int? TimeoutSeconds { get; init; } = 10;

    /// <summary>Never (default) or IfNeeded.</summary>
    public string? ReinvocationPolicy { get; init; }

    /// <summary>Exact (default) or Equivalent.</summary>
    public string? MatchPolicy { get; init; }

    public V1MutatingWebhook ToModel() => new()
    {
        Name = Name,
        ClientConfig = Endpoint.ToClientConfig(),
        Rules = Rules.ToList(),
        NamespaceSelector = NamespaceSelector,
        ObjectSelector = ObjectSelector,
        FailurePolicy = FailurePolicy,
        SideEffects = SideEffects,
        AdmissionReviewVersions = AdmissionReviewVersions.ToList(),
        TimeoutSeconds = TimeoutSeconds,
        ReinvocationPolicy = ReinvocationPolicy,
        MatchPolicy = MatchPolicy,
    };
}

/// <summary>Builders for webhook rules and selectors.</summary>
public static class WebhookRules
{
    /// <summary>A rule for one resource, e.g. <c>For("", "v1", "pods")</c> or <c>For("kubevirt.io", "v1", "virtualmachines")</c>.</summary>
    public static V1RuleWithOperations For(string apiGroup, string apiVersion, string resource, params string[] operations) => new()
    {
        ApiGroups = [apiGroup],
        ApiVersions = [apiVersion],
        Resources = [resource],
        Operations = operations.Length == 0 ? ["CREATE"] : [.. operations],
        Scope = "Namespaced",
    };

    public static V1RuleWithOperations Pods(params string[] operations) => For("", "v1", "pods", operations);

    public static V1RuleWithOperations VirtualMachines(params string[] operations) => For("kubevirt.io", "v1", "virtualmachines", operations);

    public static V1LabelSelector MatchLabels(params (string Key, string Value)[] labels) => new()
    {
        MatchLabels = labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
    };

    /// <summary>A selector with one <c>matchExpressions</c> entry (In, NotIn, Exists, DoesNotExist).</summary>
    public static V1LabelSelector MatchExpression(string key, string op, params string[] values) => new()
    {
        MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : [.. values] }],
    };
}

/// <summary>
/// A MutatingWebhookConfiguration owned by one test: created, replaced and deleted (on dispose) through the API.
/// Webhook configurations are cluster-scoped, so give each test its own name (see <see cref="TestCluster.UniqueName"/>)
/// and scope it with a selector on the test's own namespace.
/// </summary>
public sealed class WebhookRegistration : IAsyncDisposable
{
    /// <summary>Every configuration the harness creates carries this label (to find leftovers on a shared cluster).</summary>
    public const string FunctestLabel = TestCluster.FunctestLabel;

    private readonly IKubernetes _client;
    private bool _deleted;

    private WebhookRegistration(IKubernetes client, V1MutatingWebhookConfiguration current)
    {
        _client = client;
        Current = current;
    }

    public string Name => Current.Metadata.Name;

    /// <summary>The configuration as the API server last returned it.</summary>
    public V1MutatingWebhookConfiguration Current { get; private set; }

    public static async Task<WebhookRegistration> CreateAsync(
        IKubernetes client,
        string name,
        IEnumerable<MutatingWebhookSpec> webhooks,
        CancellationToken cancellationToken = default)
    {
        var body = new V1MutatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "MutatingWebhookConfiguration",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [FunctestLabel] = "true" },
            },
            Webhooks = webhooks.Select(w => w.ToModel()).ToList(),
        };
        var created = await KubernetesApiException.WrapAsync(
            $"creating MutatingWebhookConfiguration {name}",
            () => client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(body, cancellationToken: cancellationToken));
        return new WebhookRegistration(client, created);
    }

    public static Task<WebhookRegistration> CreateAsync(
        IKubernetes client,
        string name,
        MutatingWebhookSpec webhook,
        CancellationToken cancellationToken = default) =>
        CreateAsync(client, name, [webhook], cancellationToken);

    /// <summary>Replaces the webhooks (selectors, rules, failure policy, endpoint ...) of this configuration.</summary>
    public async Task UpdateAsync(IEnumerable<MutatingWebhookSpec> webhooks, CancellationToken cancellationToken = default)
    {
        var models = webhooks.Select(w => w.ToModel()).ToList();
        for (var attempt = 1; ; attempt++)
        {
            var latest = await KubernetesApiException.WrapAsync(
                $"reading MutatingWebhookConfiguration {Name}",
                () => _client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(Name, cancellationToken: cancellationToken));
            latest.Webhooks = models;
            try
            {
                Current = await KubernetesApiException.WrapAsync(
                    $"replacing MutatingWebhookConfiguration {Name}",
                    () => _client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(latest, Name, cancellationToken: cancellationToken));
                return;
            }
            catch (KubernetesApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 5)
            {
                // Someone else wrote it in between: read again.
            }
        }
    }

    public Task UpdateAsync(MutatingWebhookSpec webhook, CancellationToken cancellationToken = default) =>
        UpdateAsync([webhook], cancellationToken);

    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(Name, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
        {
            // Already gone.
        }

        _deleted = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_deleted)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await DeleteAsync(cts.Token);
            }
            catch (Exception ex) when (ex is KubernetesApiException or k8s.Autorest.HttpOperationException or HttpRequestException or OperationCanceledException)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"cleanup: deleting MutatingWebhookConfiguration {Name} failed: {ex.Message}");
            }
        }
    }
}
