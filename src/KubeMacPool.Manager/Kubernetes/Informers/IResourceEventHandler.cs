using k8s;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>Receives what a <see cref="ResourceWatcher{T}"/> sees. Calls are sequential, never concurrent.</summary>
internal interface IResourceEventHandler<in T>
{
    /// <summary>
    /// The complete current state after a (re)list. The handler reconciles everything it tracks against it,
    /// which is how objects deleted while the watch was down are noticed.
    /// </summary>
    ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken);

    ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken);
}
