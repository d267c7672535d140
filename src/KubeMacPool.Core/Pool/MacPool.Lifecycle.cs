using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Pool;

// After admission: entries found on persisted objects, commit of pending entries, release, and what heal looks at.
public sealed partial class MacPool
{
    /// <summary>
    /// Records a MAC found on a persisted object (startup rebuild, controllers), committed. Never refuses.
    /// Returns true when another owner already holds it (a duplicate to report).
    /// </summary>
    public bool Register(MacOwner owner, string interfaceKey, MacAddress mac)
    {
        var ownerKey = KeyOf(owner);
        lock (_lock)
        {
            var duplicate = _entries.IsHeldByOther(mac.Value, ownerKey);
            var iface = Intern(interfaceKey);
            AddEntry(mac.Value, ownerKey, iface);
            _entries.SetPending(mac.Value, ownerKey, iface, null);
            return duplicate;
        }
    }

    /// <summary>
    /// Aligns the owner's entries pending since <paramref name="upTo"/> or earlier with the persisted object: an
    /// entry whose (interface, MAC) the object has is committed, any other is released. Later entries belong to a
    /// transaction still in flight and stay pending; committed entries are not touched.
    /// The heal loop uses the same call with its cutoff as <paramref name="upTo"/> and the live object's MACs
    /// (none when the object is gone), which settles exactly the stale entries.
    /// </summary>
    public void Commit(MacOwner owner, DateTimeOffset upTo, IEnumerable<(string InterfaceKey, MacAddress Mac)> persisted)
    {
        ArgumentNullException.ThrowIfNull(persisted);
        var ownerKey = KeyOf(owner);
        var present = new HashSet<(string, ulong)>();
        foreach (var (iface, mac) in persisted)
        {
            present.Add((iface, mac.Value));
        }

        lock (_lock)
        {
            foreach (var (mac, iface) in EntriesOfLocked(ownerKey))
            {
                if (_entries.PendingSince(mac, ownerKey, iface) is { } ticks && ticks <= upTo.UtcTicks)
                {
                    if (present.Contains((iface, mac)))
                    {
                        _entries.SetPending(mac, ownerKey, iface, null);
                    }
                    else
                    {
                        RemoveEntry(mac, ownerKey, iface);
                    }
                }
            }
        }
    }

    /// <summary>Removes every entry of the owner; other owners of the same MACs keep theirs. Returns the count removed.</summary>
    public int Release(MacOwner owner)
    {
        var ownerKey = KeyOf(owner);
        lock (_lock)
        {
            var entries = EntriesOfLocked(ownerKey);
            foreach (var (mac, iface) in entries)
            {
                RemoveEntry(mac, ownerKey, iface);
            }

            return entries.Count;
        }
    }

    /// <summary>Entries pending since before <paramref name="cutoff"/>, for the heal loop.</summary>
    public IReadOnlyList<MacEntry> StalePending(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            var stale = new List<MacEntry>();
            foreach (var (mac, owner, iface, ticks) in _entries.PendingBefore(cutoff.UtcTicks))
            {
                stale.Add(new MacEntry(new MacAddress(mac), MacOwner.FromKey(owner), iface, new DateTimeOffset(ticks, TimeSpan.Zero)));
            }

            return stale;
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> distinct owners with an entry pending since before <paramref name="cutoff"/>,
    /// for the heal loop. Bounded so one call holds the lock for a bounded scan and returns a bounded list: after
    /// 100,000 rejected objects the heal settles them a batch at a time while admissions go on between the calls.
    /// </summary>
    public IReadOnlyList<MacOwner> StaleOwners(DateTimeOffset cutoff, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            // Reads the stale entries (and one time bucket of young ones), not everything pending.
            foreach (var (_, owner, _, _) in _entries.PendingBefore(cutoff.UtcTicks))
            {
                if (keys.Add(owner) && keys.Count == limit)
                {
                    break;
                }
            }
        }

        // Parsed outside the lock: it allocates.
        return keys.Select(MacOwner.FromKey).ToList();
    }
}
