namespace KubeMacPool.Core.Pool;

/// <summary>
/// The distinct MACs one owner holds, two inline (a VM rarely has more NICs) and the rest in an array, so the
/// per-owner index stays small. A stored value carries a presence bit above the 48 address bits.
/// </summary>
internal struct OwnerMacs
{
    private const ulong Present = 1UL << 63;

    private ulong _first;
    private ulong _second;
    private ulong[]? _rest;

    public readonly bool IsEmpty => _first == 0 && _second == 0 && (_rest is null || _rest.Length == 0);

    public readonly bool Contains(ulong mac) =>
        _first == (mac | Present) || _second == (mac | Present) || (_rest is not null && Array.IndexOf(_rest, mac | Present) >= 0);

    public void Add(ulong mac)
    {
        if (Contains(mac))
        {
            return;
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
            _rest = _rest is null ? [mac | Present] : [.. _rest, mac | Present];
        }
    }

    public void Remove(ulong mac)
    {
        if (_first == (mac | Present))
        {
            _first = 0;
        }
        else if (_second == (mac | Present))
        {
            _second = 0;
        }
        else if (_rest is not null)
        {
            _rest = _rest.Where(m => m != (mac | Present)).ToArray();
        }
    }

    public readonly List<ulong> ToList()
    {
        var macs = new List<ulong>(2);
        foreach (var value in (ReadOnlySpan<ulong>)[_first, _second, .. _rest ?? []])
        {
            if (value != 0)
            {
                macs.Add(value & ~Present);
            }
        }

        return macs;
    }
}
