using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// Feeds one kind's <see cref="CollisionTracker"/> from its list+watch: a relist replaces everything, a deletion
/// forgets the object (unless it was an older incarnation), anything else is observed again.
/// </summary>
internal abstract class CollisionController<T>(CollisionTracker tracker) : IResourceEventHandler<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    public ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        tracker.ReplaceAll(items.Select(Observe).ToList());
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken)
    {
        if (type == WatchEventType.Deleted)
        {
            tracker.Remove(Observe(item).Key, item.Metadata.Uid);
        }
        else
        {
            tracker.Observe(Observe(item));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>What the collision checks see of the object: its key, Event target, whether it runs, its MACs.</summary>
    protected abstract ObservedObject Observe(T item);
}
