using k8s;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Kubernetes.Reconciling;

/// <summary>
/// Subscribes a work queue to an informer: every listed or changed object adds the keys <paramref name="keys"/> maps it
/// to (its own key, its owner's, ...). The reconciler then reads the caches; the event itself is not kept.
/// </summary>
internal sealed class QueueingHandler<T, TKey>(WorkQueue<TKey> queue, Func<T, IEnumerable<TKey>> keys) : IResourceEventHandler<T>
    where TKey : notnull
{
    public ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            Enqueue(item);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken)
    {
        Enqueue(item);
        return ValueTask.CompletedTask;
    }

    private void Enqueue(T item)
    {
        foreach (var key in keys(item))
        {
            queue.Add(key);
        }
    }
}

internal static class InformerQueueExtensions
{
    /// <summary>Queues the keys of every object the informer lists or sees change (including deletions).</summary>
    public static Task QueueInto<T, TKey>(this Informer<T> informer, WorkQueue<TKey> queue, Func<T, IEnumerable<TKey>> keys, CancellationToken cancellationToken)
        where T : k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>
        where TKey : notnull =>
        informer.SubscribeAsync(new QueueingHandler<T, TKey>(queue, keys), cancellationToken);

    /// <summary>Queues each object's own cache key.</summary>
    public static Task QueueInto<T>(this Informer<T> informer, WorkQueue<string> queue, CancellationToken cancellationToken)
        where T : k8s.IKubernetesObject<k8s.Models.V1ObjectMeta> =>
        informer.QueueInto(queue, item => [ObjectCache<T>.KeyOf(item)], cancellationToken);
}
