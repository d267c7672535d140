namespace KubeMacPool.Core.Pool;

/// <summary>
/// The pool's entries (MAC, owner, interface) in one array of 32-byte slots threaded by two hash chains: by MAC
/// (who holds this MAC) and by owner (what this owner holds, so releasing an owner costs its entries, not the
/// pool). No object per entry: a held MAC costs one slot plus two 4-byte chain heads, about 40 bytes.
/// Slots are used in insertion order and holes are closed up by moving later slots down, so every chain lists
/// its entries in insertion order. Not thread-safe: the pool serialises access.
/// </summary>
internal sealed class EntryTable
{
    private const int MinimumCapacity = 16;

    private Slot[] _slots = [];

    // Chain heads hold a slot index + 1, so a fresh array means "all chains empty".
    private int[] _macHeads = [];
    private int[] _ownerHeads = [];

    // Slots [0, _end) have been handed out; the dead ones among them are holes.
    private int _end;

    /// <summary>Entries held.</summary>
    public int Count { get; private set; }

    /// <summary>Distinct MACs held.</summary>
    public int MacCount { get; private set; }

    /// <summary>Distinct owners holding an entry.</summary>
    public int OwnerCount { get; private set; }

    public int Capacity => _slots.Length;

    public bool Contains(ulong mac, string owner, string iface) => Find(mac, owner, iface) >= 0;

    public bool IsHeld(ulong mac)
    {
        for (var i = MacHead(mac); i >= 0; i = _slots[i].NextByMac)
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
        for (var i = MacHead(mac); i >= 0; i = _slots[i].NextByMac)
        {
            if (_slots[i].Mac == mac && !string.Equals(_slots[i].Owner, owner, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds the entry unless present; <paramref name="newMac"/> says whether nobody held the MAC before.</summary>
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

        if (_end == _slots.Length)
        {
            // Closing up the holes is enough when they are a quarter of the slots; otherwise grow.
            var grow = Count >= _slots.Length - (_slots.Length / 4);
            Rebuild(grow ? Math.Max(MinimumCapacity, _slots.Length * 2) : _slots.Length);
        }

        var index = _end++;
        _slots[index] = new Slot { Mac = mac, Owner = owner, Interface = iface, NextByMac = -1, NextByOwner = -1 };
        Append(ref _macHeads[Bucket(MacHash(mac), _macHeads.Length)], index, byMac: true);
        Append(ref _ownerHeads[Bucket(ownerHash, _ownerHeads.Length)], index, byMac: false);
        Count++;
        if (newMac)
        {
            MacCount++;
        }

        return true;
    }

    /// <summary>Removes the entry if present; <paramref name="macFreed"/> says whether nobody holds the MAC now.</summary>
    public bool Remove(ulong mac, string owner, string iface, out bool macFreed)
    {
        macFreed = false;
        var index = Find(mac, owner, iface);
        if (index < 0)
        {
            return false;
        }

        var ownerHash = OwnerHash(owner);
        Unlink(ref _macHeads[Bucket(MacHash(mac), _macHeads.Length)], index, byMac: true);
        Unlink(ref _ownerHeads[Bucket(ownerHash, _ownerHeads.Length)], index, byMac: false);
        _slots[index] = default;
        Count--;
        if (!IsHeld(mac))
        {
            macFreed = true;
            MacCount--;
        }

        if (FindOwner(owner, ownerHash) < 0)
        {
            OwnerCount--;
        }

        if (index == _end - 1)
        {
            _end--;
        }

        return true;
    }

    /// <summary>Appends the (owner, interface) holders of a MAC, first holder first.</summary>
    public void HoldersOf(ulong mac, List<(string Owner, string Interface)> into)
    {
        for (var i = MacHead(mac); i >= 0; i = _slots[i].NextByMac)
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
        for (var i = OwnerHead(OwnerHash(owner)); i >= 0; i = _slots[i].NextByOwner)
        {
            if (string.Equals(_slots[i].Owner, owner, StringComparison.Ordinal))
            {
                into.Add((_slots[i].Mac, _slots[i].Interface!));
            }
        }
    }

    /// <summary>Every live entry, in insertion order.</summary>
    public IEnumerable<(ulong Mac, string Owner, string Interface)> All()
    {
        for (var i = 0; i < _end; i++)
        {
            if (_slots[i].Owner is { } owner)
            {
                yield return (_slots[i].Mac, owner, _slots[i].Interface!);
            }
        }
    }

    /// <summary>Gives back growth slack: capacity becomes the entry count.</summary>
    public void TrimExcess() => Rebuild(Count);

    private int Find(ulong mac, string owner, string iface)
    {
        for (var i = MacHead(mac); i >= 0; i = _slots[i].NextByMac)
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
        for (var i = OwnerHead(ownerHash); i >= 0; i = _slots[i].NextByOwner)
        {
            if (string.Equals(_slots[i].Owner, owner, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private int MacHead(ulong mac) => _macHeads.Length == 0 ? -1 : _macHeads[Bucket(MacHash(mac), _macHeads.Length)] - 1;

    private int OwnerHead(int ownerHash) => _ownerHeads.Length == 0 ? -1 : _ownerHeads[Bucket(ownerHash, _ownerHeads.Length)] - 1;

    // Appending at the tail keeps chains in slot order, which is insertion order.
    private void Append(ref int head, int index, bool byMac)
    {
        if (head == 0)
        {
            head = index + 1;
            return;
        }

        var last = head - 1;
        while (Next(last, byMac) >= 0)
        {
            last = Next(last, byMac);
        }

        SetNext(last, byMac, index);
    }

    private void Unlink(ref int head, int index, bool byMac)
    {
        if (head - 1 == index)
        {
            head = Next(index, byMac) + 1;
            return;
        }

        var previous = head - 1;
        while (Next(previous, byMac) != index)
        {
            previous = Next(previous, byMac);
        }

        SetNext(previous, byMac, Next(index, byMac));
    }

    private int Next(int index, bool byMac) => byMac ? _slots[index].NextByMac : _slots[index].NextByOwner;

    private void SetNext(int index, bool byMac, int next)
    {
        if (byMac)
        {
            _slots[index].NextByMac = next;
        }
        else
        {
            _slots[index].NextByOwner = next;
        }
    }

    /// <summary>Moves the live slots, in order, into arrays of <paramref name="capacity"/> and re-threads the chains.</summary>
    private void Rebuild(int capacity)
    {
        var slots = new Slot[capacity];
        var live = 0;
        for (var i = 0; i < _end; i++)
        {
            if (_slots[i].Owner is not null)
            {
                slots[live++] = _slots[i];
            }
        }

        var macHeads = new int[capacity];
        var ownerHeads = new int[capacity];

        // Pushing at the heads from the last slot down leaves every chain in slot order.
        for (var i = live - 1; i >= 0; i--)
        {
            ref var slot = ref slots[i];
            ref var macHead = ref macHeads[Bucket(MacHash(slot.Mac), capacity)];
            slot.NextByMac = macHead - 1;
            macHead = i + 1;
            ref var ownerHead = ref ownerHeads[Bucket(OwnerHash(slot.Owner!), capacity)];
            slot.NextByOwner = ownerHead - 1;
            ownerHead = i + 1;
        }

        (_slots, _macHeads, _ownerHeads, _end) = (slots, macHeads, ownerHeads, live);
    }

    // Seeded per process (as string hashes are), so requested MACs cannot be chosen to pile into one chain.
    private static int MacHash(ulong mac) => HashCode.Combine(mac);

    private static int OwnerHash(string owner) => StringComparer.Ordinal.GetHashCode(owner);

    // Maps a 32-bit hash onto [0, length) without a division (Lemire's multiply-shift).
    private static int Bucket(int hash, int length) => (int)(((ulong)(uint)hash * (uint)length) >> 32);

    // References first, then the MAC, then the links: 8 + 8 + 8 + 4 + 4 = 32 bytes.
    private struct Slot
    {
        public string? Owner;
        public string? Interface;
        public ulong Mac;
        public int NextByMac;
        public int NextByOwner;
    }
}
