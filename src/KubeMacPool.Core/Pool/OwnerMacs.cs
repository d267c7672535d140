namespace KubeMacPool.Core.Pool;

/// <summary>
/// Up to two distinct MACs of one owner, inline (most VMs have one or two NICs, pods one network), so the per-owner
/// index entry stays 16 bytes; <see cref="MacPool"/> keeps any further MACs in a side table. A stored value
/// carries a presence bit above the 48 address bits.
/// </summary>
internal struct OwnerMacs
{
    private const ulong Present = 1UL << 63;

    private ulong _first;
    private ulong _second;

    public readonly bool IsEmpty => _first == 0 && _second == 0;

    public readonly bool Contains(ulong mac) => _first == (mac | Present) || _second == (mac | Present);

    /// <summary>Adds the MAC; false when both slots are taken (the caller keeps it elsewhere).</summary>
    public bool TryAdd(ulong mac)
    {
        if (Contains(mac))
        {
            return true;
        }

        if (_first == 0)
        {
            _first = mac | Present;
        }
        else if (_second == 0)
        {
            _second = mac | Present;
        }
        else
        {
            return false;
        }

        return true;
    }

    public bool Remove(ulong mac)
    {
        if (_first == (mac | Present))
        {
            _first = 0;
            return true;
        }

        if (_second == (mac | Present))
        {
            _second = 0;
            return true;
        }

        return false;
    }

    public readonly void AddTo(List<ulong> macs)
    {
        if (_first != 0)
        {
            macs.Add(_first & ~Present);
        }

        if (_second != 0)
        {
            macs.Add(_second & ~Present);
        }
    }
}
