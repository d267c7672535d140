using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace KubeMacPool.Core.Addressing;

/// <summary>
/// The inclusive range MACs are allocated from. Created only through validation that keeps upstream's rules
/// and messages, so operators see the errors they know.
/// </summary>
public sealed record MacRange
{
    private MacRange(MacAddress start, MacAddress end)
    {
        Start = start;
        End = end;
    }

    /// <summary>kubemacpool's default: 2^40 locally administered unicast addresses.</summary>
    public static MacRange Default { get; } = new(new MacAddress(0x02_00_00_00_00_00), new MacAddress(0x02_FF_FF_FF_FF_FF));

    public MacAddress Start { get; }

    public MacAddress End { get; }

    public ulong Size => End.Value - Start.Value + 1;

    public bool Contains(MacAddress mac) => mac >= Start && mac <= End;

    /// <summary>The position of <paramref name="mac"/> in the range; only meaningful when it is contained.</summary>
    public ulong OffsetOf(MacAddress mac) => mac.Value - Start.Value;

    public MacAddress At(ulong offset) => new(Start.Value + offset);

    /// <summary>
    /// Validates in upstream's order: the (quirky) ordering check, multicast start, multicast end, then size.
    /// </summary>
    public static bool TryCreate(MacAddress start, MacAddress end, [NotNullWhen(true)] out MacRange? range, [NotNullWhen(false)] out string? error)
    {
        range = null;

        // Upstream passes as soon as any octet of start is below end's; an inverted range that slips through is
        // then caught by the size check below, with its own message.
        var ordered = false;
        for (var shift = 40; shift >= 0 && !ordered; shift -= 8)
        {
            ordered = ((start.Value >> shift) & 0xFF) < ((end.Value >> shift) & 0xFF);
        }

        if (!ordered)
        {
            error = $"invalid range. rangeStart: {start} rangeEnd: {end}";
            return false;
        }

        if (start.IsMulticast)
        {
            error = "invalid range start: " + MulticastError(start);
            return false;
        }

        if (end.IsMulticast)
        {
            error = "invalid range end: " + MulticastError(end);
            return false;
        }

        var size = PoolSize(start, end);
        if (size <= 0)
        {
            error = $"failed to generate new current MAC: invalid MAC pool size: {size.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        range = new MacRange(start, end);
        error = null;
        return true;
    }

    /// <summary>Parses and validates the two strings of the range ConfigMap or environment.</summary>
    public static bool TryParse(string? start, string? end, [NotNullWhen(true)] out MacRange? range, [NotNullWhen(false)] out string? error)
    {
        range = null;
        if (!MacAddress.TryParse(start, out var first, out var startError))
        {
            error = $"invalid RANGE_START \"{start}\": {startError}";
            return false;
        }

        if (!MacAddress.TryParse(end, out var last, out var endError))
        {
            error = $"invalid RANGE_END \"{end}\": {endError}";
            return false;
        }

        return TryCreate(first, last, out range, out error);
    }

    public override string ToString() => $"{Start} - {End}";

    /// <summary>Upstream's pool size: negative or zero for an inverted range.</summary>
    internal static long PoolSize(MacAddress start, MacAddress end) => (long)end.Value - (long)start.Value + 1;

    // Go's %#0X of a byte: "0X3", "0XFF".
    private static string MulticastError(MacAddress mac) =>
        "invalid mac address. Multicast addressing is not supported. Unicast addressing must be used. The first octet is 0X"
        + mac.FirstOctet.ToString("X", CultureInfo.InvariantCulture);
}
