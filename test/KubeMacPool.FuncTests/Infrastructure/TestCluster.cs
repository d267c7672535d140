using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>
/// Per-test helpers over the shared cluster: unique namespaces, Pods, KubeVirt and Multus objects, status patches,
/// Events and polling. Everything created through it is cleaned up when it is disposed (<c>await using</c>), in reverse
/// order; cleanup errors are reported to the test output but never hide the test's own failure.
/// </summary>
public sealed partial class TestCluster : IAsyncDisposable
{
    /// <summary>Every namespace the harness creates carries this label (to find leftovers on a shared cluster).</summary>
    public const string FunctestLabel = "kubemacpool-functest";

    public const string DryRunAll = "All";

    private static readonly TimeSpan CleanupBudget = TimeSpan.FromSeconds(30);
    private readonly Stack<(string What, Func<CancellationToken, Task> Action)> _cleanups = new();
    private bool _disposed;

    /// <param name="cancellationToken">The test's token: <c>TestContext.Current.CancellationToken</c>.</param>
    public TestCluster(ClusterFixture fixture, CancellationToken cancellationToken)
    {
        Fixture = fixture;
        CancellationToken = cancellationToken;
    }

    public ClusterFixture Fixture { get; }

    public IKubernetes Client => Fixture.Client;

    /// <summary>The test's cancellation token (cancelled on timeout or when the run is aborted).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary><paramref name="prefix"/>-xxxxxxxx with 8 random hex digits: a valid DNS-1123 label for a prefix that is one.</summary>
    public static string UniqueName(string prefix = "kmp-test") =>
        $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>Registers a cleanup step (run in reverse order on dispose; 404 Not Found is ignored).</summary>
    public void DeferCleanup(string what, Func<CancellationToken, Task> action) => _cleanups.Push((what, action));

    // ---------------------------------------------------------------- namespaces

    /// <summary>
    /// Creates a namespace with a unique name and the given labels, deleted again at the end of the test. Waits until its
    /// default ServiceAccount can admit Pods (created by kube-controller-manager a moment after the namespace).
    /// </summary>
    public async Task<TestNamespace> CreateNamespaceAsync(
        IReadOnlyDictionary<string, string>? labels = null,
        string prefix = "kmp-test",
        bool waitForDefaultServiceAccount = true)
    {
        var name = UniqueName(prefix);
        var allLabels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [FunctestLabel] = "true",
        };
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = allLabels } };
        await KubernetesApiException.WrapAsync(
            $"creating namespace {name}",
            () => Client.CoreV1.CreateNamespaceAsync(ns, cancellationToken: CancellationToken));
        var testNamespace = new TestNamespace(this, name);
        DeferCleanup($"deleting namespace {name}", ct => DeleteNamespaceCoreAsync(name, ct));

        if (waitForDefaultServiceAccount)
        {
            await WaitForDefaultServiceAccountAsync(name);
        }

        return testNamespace;
    }

    public async Task WaitForDefaultServiceAccountAsync(string ns) =>
        await EventuallyAsync(
            async () =>
            {
                var sa = await Client.CoreV1.ReadNamespacedServiceAccountAsync("default", ns, cancellationToken: CancellationToken);
                return !Fixture.ServiceAccountsHaveTokenSecrets || sa.Secrets is { Count: > 0 };
            },
            $"the default ServiceAccount of namespace {ns}{(Fixture.ServiceAccountsHaveTokenSecrets ? " (with its token Secret)" : "")}",
            TimeSpan.FromSeconds(30));

    public Task<V1Namespace> GetNamespaceAsync(string name) =>
        KubernetesApiException.WrapAsync(
            $"reading namespace {name}",
            () => Client.CoreV1.ReadNamespaceAsync(name, cancellationToken: CancellationToken));

    /// <summary>Sets labels on a namespace (merge patch); a null value removes that label.</summary>
    public Task<V1Namespace> SetNamespaceLabelsAsync(string name, IReadOnlyDictionary<string, string?> labels)
    {
        var labelsNode = new JsonObject();
        foreach (var (key, value) in labels)
        {
            labelsNode[key] = value;
        }

        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labelsNode } };
        return KubernetesApiException.WrapAsync(
            $"patching the labels of namespace {name}",
            () => Client.CoreV1.PatchNamespaceAsync(MergePatch(patch), name, cancellationToken: CancellationToken));
    }

    public Task<V1Namespace> SetNamespaceLabelAsync(string name, string key, string value) =>
        SetNamespaceLabelsAsync(name, new Dictionary<string, string?> { [key] = value });

    public Task<V1Namespace> RemoveNamespaceLabelsAsync(string name, params string[] keys) =>
        SetNamespaceLabelsAsync(name, keys.ToDictionary(k => k, string? (_) => null, StringComparer.Ordinal));

    /// <summary>Deletes a namespace; with <paramref name="waitUntilGone"/>, waits until the namespace controller has finished.</summary>
    public async Task DeleteNamespaceAsync(string name, bool waitUntilGone = false, TimeSpan? timeout = null)
    {
        await DeleteNamespaceCoreAsync(name, CancellationToken);
        if (waitUntilGone)
        {
            await EventuallyAsync(
                async () => await TryAsync(() => Client.CoreV1.ReadNamespaceAsync(name, cancellationToken: CancellationToken)) is null,
                $"namespace {name} to be deleted (NotFound)",
                timeout ?? TimeSpan.FromSeconds(60));
        }
    }

    private async Task DeleteNamespaceCoreAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Client.CoreV1.DeleteNamespaceAsync(name, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
        {
            // Already gone.
        }
    }

    // ---------------------------------------------------------------- pods

    /// <summary>A minimal Pod (one container; the image is never pulled: there is no kubelet).</summary>
    public static V1Pod NewPod(
        string name,
        IReadOnlyDictionary<string, string>? annotations = null,
        IReadOnlyDictionary<string, string>? labels = null) =>
        new()
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Annotations = annotations?.ToDictionary(StringComparer.Ordinal),
                Labels = labels?.ToDictionary(StringComparer.Ordinal),
            },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "main", Image = "registry.invalid/kubemacpool/functest:none" }],
                TerminationGracePeriodSeconds = 0,
            },
        };

    public Task<V1Pod> CreatePodAsync(
        string ns,
        string name,
        IReadOnlyDictionary<string, string>? annotations = null,
        IReadOnlyDictionary<string, string>? labels = null,
        bool dryRun = false) =>
        CreatePodAsync(ns, NewPod(name, annotations, labels), dryRun);

    public Task<V1Pod> CreatePodAsync(string ns, V1Pod pod, bool dryRun = false) =>
        KubernetesApiException.WrapAsync(
            $"creating pod {ns}/{pod.Metadata?.Name}{(dryRun ? " (dry run)" : "")}",
            () => Client.CoreV1.CreateNamespacedPodAsync(pod, ns, dryRun: dryRun ? DryRunAll : null, cancellationToken: CancellationToken));

    public Task<V1Pod> GetPodAsync(string ns, string name) =>
        KubernetesApiException.WrapAsync(
            $"reading pod {ns}/{name}",
            () => Client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: CancellationToken));

    public Task<V1Pod?> TryGetPodAsync(string ns, string name) =>
        TryAsync(() => Client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: CancellationToken));

    public async Task DeletePodAsync(string ns, string name)
    {
        try
        {
            await Client.CoreV1.DeleteNamespacedPodAsync(name, ns, gracePeriodSeconds: 0, cancellationToken: CancellationToken);
        }
        catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
        {
            // Already gone.
        }
    }

    /// <summary>
    /// Sets <c>status.phase</c> through the status subresource (there is no kubelet to do it), e.g. "Running".
    /// </summary>
    public Task<V1Pod> SetPodPhaseAsync(string ns, string name, string phase)
    {
        var patch = new JsonObject { ["status"] = new JsonObject { ["phase"] = phase } };
        return KubernetesApiException.WrapAsync(
            $"setting the phase of pod {ns}/{name} to {phase}",
            () => Client.CoreV1.PatchNamespacedPodStatusAsync(MergePatch(patch), name, ns, cancellationToken: CancellationToken));
    }

    // ---------------------------------------------------------------- polling and JSON helpers

    /// <summary><see cref="Eventually.TrueAsync"/> with the test's cancellation token.</summary>
    public Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null) =>
        Eventually.TrueAsync(condition, what, timeout, poll, CancellationToken);

    /// <summary>Runs a read and returns null on 404 Not Found.</summary>
    public static async Task<T?> TryAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
        {
            return null;
        }
    }

    public static V1Patch MergePatch(JsonNode patch) => new(patch.ToJsonString(), V1Patch.PatchType.MergePatch);

    public static V1Patch JsonPatch(JsonArray operations) => new(operations.ToJsonString(), V1Patch.PatchType.JsonPatch);

    public static JsonObject ParseObject(string json) =>
        JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("The JSON is not an object.", nameof(json));

    private static JsonObject ToJsonObject(IReadOnlyDictionary<string, string> values)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in values)
        {
            obj[key] = value;
        }

        return obj;
    }

    // ---------------------------------------------------------------- cleanup

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using var cts = new CancellationTokenSource(CleanupBudget);
        while (_cleanups.TryPop(out var step))
        {
            try
            {
                await step.Action(cts.Token);
            }
            catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
            {
                // Already gone.
            }
            catch (Exception ex)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(
                    string.Create(CultureInfo.InvariantCulture, $"cleanup: {step.What} failed: {ex.GetType().Name}: {ex.Message}"));
            }
        }
    }
}
