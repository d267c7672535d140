using k8s;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>How to list (one page) and watch one kind of object. One implementation per resource.</summary>
internal interface IResourceClient<T>
{
    /// <summary>Plural resource name, for logs ("pods", "virtualmachines").</summary>
    string Resource { get; }

    /// <summary>
    /// One page. <paramref name="initial"/> marks an informer's first list, which may be answered at any version (the
    /// API server's watch cache, as for client-go's reflectors); a relist must see the latest.
    /// </summary>
    Task<ResourcePage<T>> ListAsync(string? continueToken, int limit, bool initial, CancellationToken cancellationToken);

    /// <summary>
    /// Watches from a resource version. Status events (such as 410 Expired) arrive through <paramref name="onError"/>
    /// as <see cref="KubernetesException"/>; the stream then ends.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken);
}

internal sealed record ResourcePage<T>(IList<T> Items, string? Continue, string? ResourceVersion);
