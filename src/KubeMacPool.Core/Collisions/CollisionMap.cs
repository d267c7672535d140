using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Collisions;

/// <summary>
/// Which running objects share a MAC. Objects are tracked with all their MACs; a MAC collides when at least two
/// of its holders are not the two sides of one live migration. Every change reports the MACs whose set of
/// colliding objects changed, so callers emit Events and update the gauge only when something changed.
/// Thread-safe: the VMI and pod watches feed it concurrently, scrapes read it.
/// </summary>
public sealed class CollisionMap
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CollisionObject> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<MacAddress, HashSet<string>> _holders = [];
    private readonly Dictionary<MacAddress, string[]> _collisions = [];

    public int TrackedCount
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    public int CollidingMacCount
    {
        get
        {
            lock (_lock)
            {
                return _collisions.Count;
            }
        }
    }

    public bool IsTracked(string key)
    {
        lock (_lock)
        {
            return _objects.ContainsKey(key);
        }
    }

    /// <summary>The objects colliding on <paramref name="mac"/>, sorted; empty when it does not collide.</summary>
    public IReadOnlyList<string> CollisionAt(MacAddress mac)
    {
        lock (_lock)
        {
            return _collisions.TryGetValue(mac, out var keys) ? keys : [];
        }
    }

    /// <summary>Every colliding MAC with the number of objects that hold it, ordered by MAC (the gauge's series).</summary>
    public IReadOnlyList<(MacAddress Mac, int Objects)> Snapshot()
    {
        lock (_lock)
        {
            var list = _collisions.Select(c => (c.Key, c.Value.Length)).ToList();
            list.Sort(static (a, b) => a.Key.CompareTo(b.Key));
            return list;
        }
    }

    /// <summary>Starts or updates tracking of a running object (an object with no MACs is forgotten).</summary>
    public IReadOnlyList<CollisionChange> Track(CollisionObject running)
    {
        ArgumentNullException.ThrowIfNull(running);
        lock (_lock)
        {
            var affected = new HashSet<MacAddress>(running.Macs);
            if (_objects.TryGetValue(running.Key, out var previous))
            {
                RemoveHolder(previous, affected);
            }

            if (running.Macs.Count == 0)
            {
                _objects.Remove(running.Key);
            }
            else
            {
                _objects[running.Key] = running;
                foreach (var mac in running.Macs)
                {
                    if (!_holders.TryGetValue(mac, out var holders))
                    {
                        _holders[mac] = holders = new HashSet<string>(StringComparer.Ordinal);
                    }

                    holders.Add(running.Key);
                }
            }

            return Recompute(affected);
        }
    }

    /// <summary>Stops tracking an object (deleted, stopped running, or no longer managed).</summary>
    public IReadOnlyList<CollisionChange> Forget(string key)
    {
        lock (_lock)
        {
            if (!_objects.Remove(key, out var previous))
            {
                return [];
            }

            var affected = new HashSet<MacAddress>();
            RemoveHolder(previous, affected);
            return Recompute(affected);
        }
    }

    private void RemoveHolder(CollisionObject previous, HashSet<MacAddress> affected)
    {
        foreach (var mac in previous.Macs)
        {
            affected.Add(mac);
            if (_holders.TryGetValue(mac, out var holders) && holders.Remove(previous.Key) && holders.Count == 0)
            {
                _holders.Remove(mac);
            }
        }
    }

    private List<CollisionChange> Recompute(HashSet<MacAddress> affected)
    {
        var changes = new List<CollisionChange>();
        foreach (var mac in affected.Order())
        {
            string[] now = _holders.TryGetValue(mac, out var holders) && Collides(holders)
                ? holders.Order(StringComparer.Ordinal).ToArray()
                : [];
            var before = _collisions.TryGetValue(mac, out var keys) ? keys : [];
            if (now.AsSpan().SequenceEqual(before))
            {
                continue;
            }

            if (now.Length == 0)
            {
                _collisions.Remove(mac);
            }
            else
            {
                _collisions[mac] = now;
            }

            changes.Add(new CollisionChange(mac, now));
        }

        return changes;
    }

    /// <summary>Whether the holders form two or more groups once migration pairs are merged (union-find).</summary>
    private bool Collides(HashSet<string> holders)
    {
        if (holders.Count < 2)
        {
            return false;
        }

        var objects = holders.Select(k => _objects[k]).ToArray();
        if (objects.All(o => o.SourceMigrationUid is null && o.TargetMigrationUid is null))
        {
            return true;
        }

        var parent = Enumerable.Range(0, objects.Length).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        var groups = objects.Length;
        for (var i = 0; i < objects.Length; i++)
        {
            for (var j = i + 1; j < objects.Length; j++)
            {
                if (objects[i].SharesMigrationWith(objects[j]) && Find(i) != Find(j))
                {
                    parent[Find(i)] = Find(j);
                    groups--;
                }
            }
        }

        return groups > 1;
    }
}
