using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Collisions;

/// <summary>
/// Which running objects share a MAC (keys such as <c>vmi/ns/name</c> or <c>pod/ns/name</c>), as the collision
/// controllers last saw them. Each reconcile of one object replaces everything known about that object, so the map
/// never depends on the order events arrive in. A MAC is tracked only while two or more objects hold it; its count
/// (self included) is what the <c>kmp_mac_collisions</c> gauge shows. Thread-safe.
/// </summary>
public sealed class CollisionMap
{
    private readonly Lock _lock = new();
    private readonly Dictionary<MacAddress, SortedSet<string>> _byMac = [];
    private readonly Dictionary<string, HashSet<MacAddress>> _byObject = new(StringComparer.Ordinal);

    /// <summary>
    /// Records the collisions found for <paramref name="objectKey"/>: for each MAC, the other objects holding it.
    /// An empty map (or null) means the object collides with nothing any more (stopped, deleted, MACs changed).
    /// </summary>
    public void Update(string objectKey, IReadOnlyDictionary<MacAddress, IReadOnlyCollection<string>>? colliders)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectKey);
        lock (_lock)
        {
            Remove(objectKey);
            if (colliders is null)
            {
                return;
            }

            foreach (var (mac, others) in colliders)
            {
                var peers = others.Where(o => !string.Equals(o, objectKey, StringComparison.Ordinal)).ToList();
                if (peers.Count == 0)
                {
                    continue;
                }

                // The list is exactly this reconcile's view: self plus the colliders it found now.
                if (_byMac.TryGetValue(mac, out var previous))
                {
                    foreach (var key in previous)
                    {
                        Forget(key, mac);
                    }
                }

                var holders = new SortedSet<string>(peers, StringComparer.Ordinal) { objectKey };
                _byMac[mac] = holders;
                foreach (var key in holders)
                {
                    Track(key, mac);
                }
            }
        }
    }

    /// <summary>Drops the object from every MAC (deleted or no longer running).</summary>
    public void Remove(string objectKey)
    {
        lock (_lock)
        {
            if (!_byObject.Remove(objectKey, out var macs))
            {
                return;
            }

            foreach (var mac in macs)
            {
                if (!_byMac.TryGetValue(mac, out var holders))
                {
                    continue;
                }

                holders.Remove(objectKey);
                if (holders.Count <= 1)
                {
                    // A MAC held by one object is no collision: forget it for the last holder too.
                    foreach (var last in holders)
                    {
                        Forget(last, mac);
                    }

                    _byMac.Remove(mac);
                }
            }
        }
    }

    /// <summary>The objects sharing <paramref name="mac"/>, sorted; empty when there is no collision.</summary>
    public IReadOnlyList<string> Holders(MacAddress mac)
    {
        lock (_lock)
        {
            return _byMac.TryGetValue(mac, out var holders) ? [.. holders] : [];
        }
    }

    /// <summary>Every colliding MAC with its number of objects (self included): one gauge series each.</summary>
    public IReadOnlyDictionary<MacAddress, int> Counts()
    {
        lock (_lock)
        {
            return _byMac.ToDictionary(e => e.Key, e => e.Value.Count);
        }
    }

    /// <summary>The event message upstream writes on every object involved.</summary>
    public static string EventMessage(MacAddress mac, IEnumerable<string> keys) =>
        $"MAC {mac}: Collision between {string.Join(", ", keys.Order(StringComparer.Ordinal))}";

    private void Track(string key, MacAddress mac)
    {
        if (!_byObject.TryGetValue(key, out var macs))
        {
            _byObject[key] = macs = [];
        }

        macs.Add(mac);
    }

    private void Forget(string key, MacAddress mac)
    {
        if (_byObject.TryGetValue(key, out var macs) && macs.Remove(mac) && macs.Count == 0)
        {
            _byObject.Remove(key);
        }
    }
}
