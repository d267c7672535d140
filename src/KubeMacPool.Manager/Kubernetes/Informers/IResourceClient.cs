using k8s;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>How to list (one page) and watch one kind of object. One implementation per resource.</summary>
internal interface IResourceClient<T>
{
    /// <summary>Plural resource name, for logs ("pods", "virtualmachines").</summary>
    string Resource { get; }

    Task<ResourcePage<T>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Watches from a resource version. Status events (such as 410 Expired) arrive through <paramref name="onError"/>
    /// as <see cref="KubernetesException"/>; the stream then ends.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken);
}

internal sealed record ResourcePage<T>(IList<T> Items, string? Continue, string? ResourceVersion);
