using k8s;
using k8s.Models;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>A namespace created for one test; disposing it deletes it (without waiting for the namespace controller).</summary>
public sealed class TestNamespace(TestCluster cluster, string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public Task<V1Namespace> SetLabelAsync(string key, string value) => cluster.SetNamespaceLabelAsync(Name, key, value);

    public Task<V1Namespace> RemoveLabelsAsync(params string[] keys) => cluster.RemoveNamespaceLabelsAsync(Name, keys);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await cluster.Client.CoreV1.DeleteNamespaceAsync(Name, cancellationToken: CancellationToken.None);
        }
        catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
        {
            // Already gone.
        }
    }

    public override string ToString() => Name;
}
