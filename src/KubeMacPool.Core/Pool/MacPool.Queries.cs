using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Pool;

// Reads for controllers, the CLI and metrics, and the range and memory upkeep.
public sealed partial class MacPool
{
    /// <summary>The owner's entries, oldest first.</summary>
    public IReadOnlyList<MacEntry> EntriesOf(MacOwner owner)
    {
        var ownerKey = KeyOf(owner);
        lock (_lock)
        {
            return EntriesOfLocked(ownerKey).Select(e => Entry(e.Mac, ownerKey, e.Interface, owner)).ToList();
        }
    }

    /// <summary>The entries holding <paramref name="mac"/>, first holder first.</summary>
    public IReadOnlyList<MacEntry> EntriesAt(MacAddress mac)
    {
        var holders = new List<(string Owner, string Interface)>(1);
        lock (_lock)
        {
            _entries.HoldersOf(mac.Value, holders);
            return holders.Select(h => Entry(mac.Value, h.Owner, h.Interface, MacOwner.FromKey(h.Owner))).ToList();
        }
    }

    /// <summary>Every owner of one kind (<see cref="MacOwner.VirtualMachineKind"/>, <see cref="MacOwner.PodKind"/>) that holds an entry, in no particular order.</summary>
    public IReadOnlyList<MacOwner> Owners(string kind)
    {
        var prefix = kind + "/";
        lock (_lock)
        {
            var owners = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, owner, _) in _entries.All())
            {
                if (owner.StartsWith(prefix, StringComparison.Ordinal))
                {
                    owners.Add(owner);
                }
            }

            return owners.Select(MacOwner.FromKey).ToList();
        }
    }

    public bool IsHeld(MacAddress mac)
    {
        lock (_lock)
        {
            return _entries.IsHeld(mac.Value);
        }
    }

    /// <summary>
    /// Gives back the tables' growth slack. Called once after the startup rebuild, when the pool is at its largest
    /// and about to stay near that size.
    /// </summary>
    public void Compact()
    {
        lock (_lock)
        {
            _entries.TrimExcess();
        }
    }

    /// <summary>
    /// Switches to a new range at runtime. Entries are untouched, inside or outside the new range; the new
    /// allocator learns which of its addresses are held and starts from a fresh random cursor.
    /// </summary>
    public void ReplaceRange(MacRange range)
    {
        lock (_lock)
        {
            var allocator = new RangeAllocator(range, _randomOffset) { Reserved = _reserved };
            foreach (var (mac, _, _) in _entries.All())
            {
                allocator.MarkUsed(new MacAddress(mac));
            }

            _allocator = allocator;
        }
    }

    /// <summary>
    /// Usage of the current range, for metrics and the published status: addresses reserved in it, and free ones
    /// (neither held nor reserved; a held reserved MAC is counted once).
    /// </summary>
    public (ulong RangeSize, ulong HeldInRange, ulong ReservedInRange, ulong Free) Usage()
    {
        lock (_lock)
        {
            var range = _allocator.Range;
            ulong reserved = 0, heldAndReserved = 0;
            foreach (var (start, end) in _reserved.IntervalsIn(range))
            {
                reserved += end - start + 1;
                heldAndReserved += _allocator.UsedBetween(new MacAddress(start), new MacAddress(end));
            }

            return (range.Size, _allocator.UsedCount, reserved, range.Size - _allocator.UsedCount - reserved + heldAndReserved);
        }
    }

    /// <summary>Held entries whose MAC is not unicast or is reserved: objects admitted before the rule, to report (in no particular order).</summary>
    public IReadOnlyList<MacEntry> EntriesBreakingRules()
    {
        lock (_lock)
        {
            var found = new List<MacEntry>();
            foreach (var (mac, owner, iface) in _entries.All())
            {
                var address = new MacAddress(mac);
                if (UnicastRule.NonUnicastKind(address) is not null || _reserved.Contains(address))
                {
                    found.Add(Entry(mac, owner, iface, MacOwner.FromKey(owner)));
                }
            }

            return found;
        }
    }

    /// <summary>Copies the allocator's figures, for metrics: range size, held addresses inside it, bitmap chunks in memory.</summary>
    public (ulong RangeSize, ulong UsedInRange, int Chunks) AllocatorFigures()
    {
        lock (_lock)
        {
            return (_allocator.Range.Size, _allocator.UsedCount, _allocator.AllocatedChunks);
        }
    }
}
