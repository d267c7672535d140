using System.Diagnostics.CodeAnalysis;

namespace KubeMacPool.Core.Addressing;

/// <summary>
/// MACs the pool never hands out and refuses when a user asks for them (ConfigMap key <c>RESERVED_MACS</c>):
/// single MACs and inclusive ranges, each in any MAC syntax the pool accepts. Immutable; lookups are a binary
/// search over the merged, sorted intervals, so a thousand entries cost a few comparisons per allocation.
/// </summary>
public sealed class ReservedMacs
{
    public const string Key = "RESERVED_MACS";

    /// <summary>KubeVirt's fixed in-pod bridge MAC of masquerade interfaces, the default range's first address.</summary>
    public const string KubeVirtDefaultText = "02:00:00:00:00:00";

    private static readonly char[] Separators = [',', '\n', '\r', ' ', '\t', ';'];

    // Merged, sorted, non-adjacent intervals: the allocator's view.
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;

    // The entries as written (sorted by start), to name the one a refused request hit.
    private readonly (ulong Start, ulong End, string Text)[] _entries;

    private ReservedMacs((ulong Start, ulong End, string Text)[] entries)
    {
        _entries = [.. entries.OrderBy(e => e.Start).ThenBy(e => e.End)];
        var starts = new List<ulong>(_entries.Length);
        var ends = new List<ulong>(_entries.Length);
        foreach (var (start, end, _) in _entries)
        {
            // Merge overlapping and adjacent intervals (end + 1 cannot overflow: a MAC is 48 bits).
            if (ends.Count > 0 && start <= ends[^1] + 1)
            {
                ends[^1] = Math.Max(ends[^1], end);
            }
            else
            {
                starts.Add(start);
                ends.Add(end);
            }
        }

        _starts = [.. starts];
        _ends = [.. ends];
    }

    public static ReservedMacs Empty { get; } = new([]);

    /// <summary>What applies when the ConfigMap has no <c>RESERVED_MACS</c> key: KubeVirt's masquerade bridge MAC.</summary>
    public static ReservedMacs KubeVirtDefault { get; } = Parse(KubeVirtDefaultText);

    /// <summary>Entries as written (after parsing), sorted by start.</summary>
    public int EntryCount => _entries.Length;

    /// <summary>Disjoint intervals after merging.</summary>
    public int IntervalCount => _starts.Length;

    public bool IsEmpty => _starts.Length == 0;

    /// <summary>
    /// Parses a list of entries separated by commas, semicolons, spaces or new lines; <c>#</c> starts a comment
    /// up to the end of its line. An entry is a MAC, or a range <c>START..END</c> (or <c>START-END</c> when neither
    /// side uses the hyphen syntax). Blank text is an empty list (nothing reserved).
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ReservedMacs? reserved, [NotNullWhen(false)] out string? error)
    {
        reserved = null;
        var entries = new List<(ulong, ulong, string)>();
        foreach (var rawLine in (text ?? "").Split('\n'))
        {
            var line = rawLine.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0 ? rawLine[..hash] : rawLine;
            foreach (var entry in line.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TryParseEntry(entry, out var start, out var end, out error))
                {
                    error = $"invalid {Key} entry \"{entry}\": {error}";
                    return false;
                }

                entries.Add((start, end, entry));
            }
        }

        reserved = new ReservedMacs([.. entries]);
        error = null;
        return true;
    }

    public static ReservedMacs Parse(string text) =>
        TryParse(text, out var reserved, out var error) ? reserved : throw new FormatException(error);

    public bool Contains(MacAddress mac) => IntervalOf(mac.Value) >= 0;

    /// <summary>The entry (as written) that reserves <paramref name="mac"/>, or null when it is not reserved.</summary>
    public string? EntryOf(MacAddress mac)
    {
        if (!Contains(mac))
        {
            return null;
        }

        foreach (var (start, end, text) in _entries)
        {
            if (start <= mac.Value && mac.Value <= end)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>
    /// The index of the first reserved (merged) interval that ends at or after <paramref name="mac"/> (it contains
    /// <paramref name="mac"/> or lies after it), or -1 when every reserved MAC is below <paramref name="mac"/>.
    /// <paramref name="guess"/> is checked first: a caller walking forward passes the index after the last one.
    /// </summary>
    public int NextInterval(ulong mac, int guess = -1)
    {
        if (guess >= 0 && guess < _ends.Length && _ends[guess] >= mac && (guess == 0 || _ends[guess - 1] < mac))
        {
            return guess;
        }

        var i = Array.BinarySearch(_ends, mac);
        if (i < 0)
        {
            i = ~i;
        }

        return i < _ends.Length ? i : -1;
    }

    /// <summary>The merged interval at <paramref name="index"/> (from <see cref="NextInterval"/>), as MAC values.</summary>
    public (ulong Start, ulong End) Interval(int index) => (_starts[index], _ends[index]);

    /// <summary>How many addresses of <paramref name="range"/> are reserved.</summary>
    public ulong CountIn(MacRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        ulong count = 0;
        foreach (var (start, end) in IntervalsIn(range))
        {
            count += end - start + 1;
        }

        return count;
    }

    /// <summary>The reserved intervals clipped to <paramref name="range"/>, as MAC values, in order.</summary>
    public IEnumerable<(ulong Start, ulong End)> IntervalsIn(MacRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        for (var i = 0; i < _starts.Length; i++)
        {
            var start = Math.Max(_starts[i], range.Start.Value);
            var end = Math.Min(_ends[i], range.End.Value);
            if (start <= end)
            {
                yield return (start, end);
            }
        }
    }

    /// <summary>The entries as written, normalised to canonical MACs (for status and tools).</summary>
    public IReadOnlyList<string> Describe() =>
        [.. _entries.Select(e => e.Start == e.End
            ? new MacAddress(e.Start).ToString()
            : $"{new MacAddress(e.Start)}..{new MacAddress(e.End)}")];

    public override string ToString() => string.Join(",", Describe());

    private int IntervalOf(ulong mac)
    {
        if (_starts.Length == 0)
        {
            return -1;
        }

        // The last interval starting at or before mac.
        var i = Array.BinarySearch(_starts, mac);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return i >= 0 && mac <= _ends[i] ? i : -1;
    }

    private static bool TryParseEntry(string entry, out ulong start, out ulong end, [NotNullWhen(false)] out string? error)
    {
        start = end = 0;
        if (MacAddress.TryParse(entry, out var single, out var singleError))
        {
            start = end = single.Value;
            error = null;
            return true;
        }

        var dots = entry.IndexOf("..", StringComparison.Ordinal);
        var (first, last) = dots >= 0 ? (entry[..dots], entry[(dots + 2)..])
            : entry.Count(c => c == '-') == 1 ? (entry[..entry.IndexOf('-', StringComparison.Ordinal)], entry[(entry.IndexOf('-', StringComparison.Ordinal) + 1)..])
            : (entry, (string?)null);
        if (last is null)
        {
            error = singleError;
            return false;
        }

        if (!MacAddress.TryParse(first, out var from, out error) || !MacAddress.TryParse(last, out var to, out error))
        {
            return false;
        }

        if (from > to)
        {
            error = $"range start {from} is after its end {to}";
            return false;
        }

        (start, end) = (from.Value, to.Value);
        error = null;
        return true;
    }
}
