using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Collisions;

namespace KubeMacPool.Plugin;

internal sealed record WhoHasResult(string Mac, IReadOnlyList<Holding> Holders, IReadOnlyList<string> Notes);

internal sealed record OutsideMac(string Mac, IReadOnlyList<Holding> Holders);

internal sealed record CheckRangeResult(
    string RangeStart, string RangeEnd, string Size, int HeldMacs, int Outside, IReadOnlyList<OutsideMac> Macs, IReadOnlyList<string> Notes);

internal sealed record CollisionEntry(string Mac, IReadOnlyList<string> Objects);

internal sealed record CollisionsResult(IReadOnlyList<CollisionEntry> Collisions, IReadOnlyList<string> Notes);

/// <summary>The answers, computed from an <see cref="Inventory"/> (pure).</summary>
internal static class Queries
{
    public static WhoHasResult WhoHas(Inventory inventory, MacAddress mac)
    {
        var text = mac.ToString();
        return new WhoHasResult(text, Sorted(inventory.Holdings.Where(h => h.Mac == text)), inventory.Notes);
    }

    public static CheckRangeResult CheckRange(Inventory inventory, MacRange range)
    {
        var held = inventory.Holdings.GroupBy(h => h.Mac).ToList();
        var outside = held
            .Where(g => !range.Contains(MacAddress.Parse(g.Key)))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OutsideMac(g.Key, Sorted(g)))
            .ToList();
        return new CheckRangeResult(
            range.Start.ToString(), range.End.ToString(), range.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            held.Count, outside.Count, outside, inventory.Notes);
    }

    /// <summary>The same rule as the service's: running objects sharing a MAC, the two sides of one migration excepted.</summary>
    public static CollisionsResult Collisions(Inventory inventory)
    {
        var map = new CollisionMap();
        foreach (var running in inventory.Running)
        {
            map.Track(running);
        }

        var collisions = map.Snapshot()
            .OrderBy(c => c.Mac)
            .Select(c => new CollisionEntry(c.Mac.ToString(), [.. map.CollisionAt(c.Mac).Order(StringComparer.Ordinal)]))
            .ToList();
        return new CollisionsResult(collisions, inventory.Notes);
    }

    private static List<Holding> Sorted(IEnumerable<Holding> holdings) =>
        [.. holdings.Distinct().OrderBy(h => h.Kind, StringComparer.Ordinal).ThenBy(h => h.Namespace, StringComparer.Ordinal)
            .ThenBy(h => h.Name, StringComparer.Ordinal).ThenBy(h => h.Interface, StringComparer.Ordinal)];
}
