using KubeMacPool.Core.Collisions;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// The objects of one kind (VMIs or pods) the collision checks have seen, and the decision for each: tracked in the
/// shared <see cref="CollisionMap"/> while it runs in a namespace managed for its webhook, forgotten otherwise.
/// Decisions are re-taken for every object when namespace labels or opt modes change.
/// </summary>
internal sealed class CollisionTracker(WebhookKind kind, CollisionMap map, CollisionReporter reporter, ManagedNamespaces namespaces)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ObservedObject> _observed = new(StringComparer.Ordinal);

    public void Observe(ObservedObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            // Only running objects can collide, and one that starts running comes as an event: the others need not
            // be held (at scale most pods and VMIs seen here are not running).
            if (item.Macs.Count == 0 || !item.Running)
            {
                _observed.Remove(item.Key);
                Drop(item.Key);
                return;
            }

            _observed[item.Key] = item;
            Decide(item);
        }
    }

    /// <summary>The object is gone. A deletion of an older incarnation (another UID) of a re-created object is ignored.</summary>
    public void Remove(string key, string? uid)
    {
        lock (_lock)
        {
            if (_observed.TryGetValue(key, out var known) && uid is not null && known.Uid is not null && known.Uid != uid)
            {
                return;
            }

            _observed.Remove(key);
            Drop(key);
        }
    }

    /// <summary>A complete list after a (re)list: whatever is not in it is gone.</summary>
    public void ReplaceAll(IReadOnlyCollection<ObservedObject> items)
    {
        lock (_lock)
        {
            var present = items.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _observed.Keys.Where(k => !present.Contains(k)).ToList())
            {
                _observed.Remove(gone);
                Drop(gone);
            }
        }

        foreach (var item in items)
        {
            Observe(item);
        }
    }

    public void Reevaluate()
    {
        lock (_lock)
        {
            foreach (var item in _observed.Values)
            {
                Decide(item);
            }
        }
    }

    private void Decide(ObservedObject item)
    {
        if (item.Running && namespaces.IsManaged(kind, item.Namespace))
        {
            reporter.Remember(item.Key, item.Target);
            reporter.Report(map.Track(new CollisionObject(item.Key, item.Macs, item.SourceMigrationUid, item.TargetMigrationUid)));
        }
        else
        {
            Drop(item.Key);
        }
    }

    private void Drop(string key)
    {
        reporter.Report(map.Forget(key));
        reporter.Forget(key);
    }
}
