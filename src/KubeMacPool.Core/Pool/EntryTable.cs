namespace KubeMacPool.Core.Pool;

/// <summary>
/// The pool's entries (MAC, owner, interface) in 40-byte slots threaded by two hash chains: by MAC (who holds this
/// MAC) and by owner (what this owner holds, so releasing an owner costs its entries, not the pool). No object per
/// entry: a held MAC costs one slot plus two 4-byte chain heads, about 48 bytes. Every call costs the chains it
/// reads, never the whole table: slots live in segments with freed ones reused (no compaction, no copy on growth)
/// and chain heads grow a few buckets per add (see <see cref="ChainHeads{TLinks}"/>), because the pool's lock is
/// held meanwhile and a 0.1-0.4 s rebuild at a million entries stalled every admission. Chains are appended at
/// their tail, so each lists its entries in insertion order whichever slots they sit in.
/// Not thread-safe: the pool serialises access.
/// </summary>
internal sealed class EntryTable
{
    private readonly SegmentedPool<Slot> _slots = new();
    private readonly ChainHeads<MacLinks> _byMac;
    private readonly ChainHeads<OwnerLinks> _byOwner;
    private readonly PendingEntries _pending = new();

    public EntryTable()
    {
        _byMac = new ChainHeads<MacLinks>(new MacLinks(_slots));
        _byOwner = new ChainHeads<OwnerLinks>(new OwnerLinks(_slots));
    }

    /// <summary>Entries held.</summary>
    public int Count => _slots.Count;

    /// <summary>Distinct MACs held.</summary>
    public int MacCount { get; private set; }

    /// <summary>Distinct owners holding an entry.</summary>
    public int OwnerCount { get; private set; }

    /// <summary>Entries pending (not committed).</summary>
    public int PendingCount => _pending.Count;

    public int Capacity => _slots.Capacity;

    public bool Contains(ulong mac, string owner, string iface) => Find(mac, owner, iface) >= 0;

    public bool IsHeld(ulong mac)
    {
        for (var i = _byMac.First(MacHash(mac)); i >= 0; i = _slots[i].NextByMac)
        {
            if (_slots[i].Mac == mac)
            {
                return true;
            }
        }

        return false;
    }

    public bool IsHeldByOther(ulong mac, string owner)
    {
        for (var i = _byMac.First(MacHash(mac)); i >= 0; i = _slots[i].NextByMac)
        {
            if (_slots[i].Mac == mac && !string.Equals(_slots[i].Owner, owner, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds the entry (committed) unless present; <paramref name="newMac"/> says whether nobody held the MAC before.</summary>
    public bool Add(ulong mac, string owner, string iface, out bool newMac)
    {
        newMac = false;
        if (Find(mac, owner, iface) >= 0)
        {
            return false;
        }

        newMac = !IsHeld(mac);
        var ownerHash = OwnerHash(owner);
        var sibling = FindOwner(owner, ownerHash);
        if (sibling < 0)
        {
            OwnerCount++;
        }
        else
        {
            // One string per owner, however many requests brought its name.
            owner = _slots[sibling].Owner!;
        }

        var index = _slots.Allocate();
        _slots[index] = new Slot { Mac = mac, Owner = owner, Interface = iface, OwnerHash = ownerHash };
        _byMac.Append(index, MacHash(mac));
        _byOwner.Append(index, ownerHash);
        if (newMac)
        {
            MacCount++;
        }

        return true;
    }

    /// <summary>Removes the entry (and its pending mark) if present; <paramref name="macFreed"/> says whether nobody holds the MAC now.</summary>
    public bool Remove(ulong mac, string owner, string iface, out bool macFreed)
    {
        macFreed = false;
        var index = Find(mac, owner, iface);
        if (index < 0)
        {
            return false;
        }

        var ownerHash = OwnerHash(owner);
        _byMac.Remove(index, MacHash(mac));
        _byOwner.Remove(index, ownerHash);
        if (_slots[index].Pending != 0)
        {
            _pending.Remove(_slots[index].Pending - 1);
        }

        _slots.Free(index);
        if (!IsHeld(mac))
        {
            macFreed = true;
            MacCount--;
        }

        if (FindOwner(owner, ownerHash) < 0)
        {
            OwnerCount--;
        }

        return true;
    }

    /// <summary>The UTC ticks the entry is pending since; null when it is committed or not held.</summary>
    public long? PendingSince(ulong mac, string owner, string iface)
    {
        var index = Find(mac, owner, iface);
        return index >= 0 && _slots[index].Pending != 0 ? _pending.Ticks(_slots[index].Pending - 1) : null;
    }

    /// <summary>Marks a held entry pending since <paramref name="ticks"/>, or committed (null); returns what it was before.</summary>
    public long? SetPending(ulong mac, string owner, string iface, long? ticks)
    {
        var index = Find(mac, owner, iface);
        if (index < 0)
        {
            return null;
        }

        ref var slot = ref _slots[index];
        long? before = null;
        if (slot.Pending != 0)
        {
            before = _pending.Ticks(slot.Pending - 1);
            _pending.Remove(slot.Pending - 1);
            slot.Pending = 0;
        }

        if (ticks is { } since)
        {
            slot.Pending = _pending.Add(index, since) + 1;
        }

        return before;
    }

    /// <summary>Entries pending since before <paramref name="cutoff"/> (UTC ticks), roughly oldest first.</summary>
    public IEnumerable<(ulong Mac, string Owner, string Interface, long Ticks)> PendingBefore(long cutoff)
    {
        foreach (var (index, ticks) in _pending.Before(cutoff))
        {
            yield return (_slots[index].Mac, _slots[index].Owner!, _slots[index].Interface!, ticks);
        }
    }

    /// <summary>Appends the (owner, interface) holders of a MAC, first holder first.</summary>
    public void HoldersOf(ulong mac, List<(string Owner, string Interface)> into)
    {
        for (var i = _byMac.First(MacHash(mac)); i >= 0; i = _slots[i].NextByMac)
        {
            if (_slots[i].Mac == mac)
            {
                into.Add((_slots[i].Owner!, _slots[i].Interface!));
            }
        }
    }

    /// <summary>Appends the (MAC, interface) entries of an owner, oldest first.</summary>
    public void EntriesOf(string owner, List<(ulong Mac, string Interface)> into)
    {
        var ownerHash = OwnerHash(owner);
        for (var i = _byOwner.First(ownerHash); i >= 0; i = _slots[i].NextByOwner)
        {
            if (_slots[i].OwnerHash == ownerHash && string.Equals(_slots[i].Owner, owner, StringComparison.Ordinal))
            {
                into.Add((_slots[i].Mac, _slots[i].Interface!));
            }
        }
    }

    /// <summary>Every live entry, in no particular order (freed slots are reused).</summary>
    public IEnumerable<(ulong Mac, string Owner, string Interface)> All()
    {
        for (var i = 0; i < _slots.End; i++)
        {
            if (_slots[i].Owner is { } owner)
            {
                yield return (_slots[i].Mac, owner, _slots[i].Interface!);
            }
        }
    }

    /// <summary>
    /// Gives back growth slack: free slots after the last entry, and chain heads beyond one per entry. Costs every
    /// entry: for once after the startup rebuild.
    /// </summary>
    public void TrimExcess()
    {
        _slots.TrimExcess();
        _byMac.TrimExcess();
        _byOwner.TrimExcess();
        _pending.TrimExcess();
    }

    private int Find(ulong mac, string owner, string iface)
    {
        for (var i = _byMac.First(MacHash(mac)); i >= 0; i = _slots[i].NextByMac)
        {
            ref var slot = ref _slots[i];
            if (slot.Mac == mac
                && string.Equals(slot.Interface, iface, StringComparison.Ordinal)
                && string.Equals(slot.Owner, owner, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private int FindOwner(string owner, int ownerHash)
    {
        for (var i = _byOwner.First(ownerHash); i >= 0; i = _slots[i].NextByOwner)
        {
            if (_slots[i].OwnerHash == ownerHash && string.Equals(_slots[i].Owner, owner, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    // Seeded per process (as string hashes are), so requested MACs cannot be chosen to pile into one chain.
    private static int MacHash(ulong mac) => HashCode.Combine(mac);

    private static int OwnerHash(string owner) => StringComparer.Ordinal.GetHashCode(owner);

    private readonly struct MacLinks(SegmentedPool<Slot> slots) : IChainLinks
    {
        public int Next(int index) => slots[index].NextByMac;

        public void SetNext(int index, int next) => slots[index].NextByMac = next;

        public int Hash(int index) => MacHash(slots[index].Mac);
    }

    private readonly struct OwnerLinks(SegmentedPool<Slot> slots) : IChainLinks
    {
        public int Next(int index) => slots[index].NextByOwner;

        public void SetNext(int index, int next) => slots[index].NextByOwner = next;

        public int Hash(int index) => slots[index].OwnerHash;
    }

    // References first, then the MAC, the links, the pending record + 1 (0: committed) and the owner's hash, which
    // fills what would be padding and spares moving an owner chain a read of every owner string: 40 bytes.
    private struct Slot : IPoolItem
    {
        public string? Owner;
        public string? Interface;
        public ulong Mac;
        public int NextByMac;
        public int NextByOwner;
        public int Pending;
        public int OwnerHash;

        public readonly bool IsFree => Owner is null;

        public int NextFree
        {
            readonly get => NextByMac;
            set => NextByMac = value;
        }
    }
}
