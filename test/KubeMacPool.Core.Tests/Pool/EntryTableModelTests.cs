using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>
/// The table against a plain list of entries in insertion order, over many operations: slots freed and reused,
/// chain heads doubling several times (checked mid-growth too), trims, and pending marks over several time buckets.
/// </summary>
public class EntryTableModelTests
{
    // A pending time bucket is 2^20 ticks; stamps spread over about 12 of them, near their edges too.
    private const long Bucket = 1L << 20;

    [Fact]
    public void A_later_entry_in_a_reused_slot_comes_after_the_earlier_ones_of_its_chains()
    {
        var table = new EntryTable();
        table.Add(1, "vm/a/x", "eth0", out _);
        table.Add(2, "vm/b/y", "eth0", out _);
        table.Add(3, "vm/c/z", "eth0", out _);
        table.Add(5, "vm/e/v", "eth0", out _);

        // Slots 2 then 0 freed; y's second entry reuses slot 0 (freed last), before y's first entry's slot 1, and
        // w's entry slot 2, before v's slot 3 holding the same MAC. Chains still list them after the earlier ones.
        table.Remove(3, "vm/c/z", "eth0", out _);
        table.Remove(1, "vm/a/x", "eth0", out _);
        table.Add(4, "vm/b/y", "eth1", out _);
        table.Add(5, "vm/d/w", "eth0", out _);
        for (var trimmed = 0; trimmed < 2; trimmed++)
        {
            var entries = new List<(ulong, string)>();
            table.EntriesOf("vm/b/y", entries);
            Assert.Equal([(2UL, "eth0"), (4UL, "eth1")], entries);
            var holders = new List<(string, string)>();
            table.HoldersOf(5, holders);
            Assert.Equal([("vm/e/v", "eth0"), ("vm/d/w", "eth0")], holders);
            Assert.Equal((4, 3, 3), (table.Count, table.MacCount, table.OwnerCount));

            // Both freed slots were reused: four slots in use, none after them.
            table.TrimExcess();
            Assert.Equal(4, table.Capacity);
        }
    }

    [Fact]
    public void Pending_marks_are_read_back_and_listed_by_cutoff_whatever_order_they_are_set_in()
    {
        var table = new EntryTable();
        for (ulong mac = 0; mac < 6; mac++)
        {
            table.Add(mac, "pod/ns/p" + mac, "net1", out _);
        }

        // Out of order, across bucket edges, and one moved back to an older stamp (as an undo does).
        long[] stamps = [(5 * Bucket) + 3, Bucket - 1, Bucket, 9 * Bucket, 0, (5 * Bucket) + 1];
        for (var i = 0; i < stamps.Length; i++)
        {
            Assert.Null(table.SetPending((ulong)i, "pod/ns/p" + i, "net1", stamps[i]));
        }

        Assert.Equal(9 * Bucket, table.SetPending(3, "pod/ns/p3", "net1", 2));
        stamps[3] = 2;
        Assert.Equal(6, table.PendingCount);
        Assert.Equal(Bucket, table.PendingSince(2, "pod/ns/p2", "net1"));
        Assert.Null(table.PendingSince(2, "pod/ns/other", "net1"));

        foreach (var cutoff in new[] { 0, 1, 2, 3, Bucket - 1, Bucket, Bucket + 1, 5 * Bucket, (5 * Bucket) + 2, (5 * Bucket) + 4, long.MaxValue / 2 })
        {
            var expected = stamps.Select((s, i) => (Mac: (ulong)i, Ticks: s)).Where(e => e.Ticks < cutoff).ToHashSet();
            Assert.True(expected.SetEquals(table.PendingBefore(cutoff).Select(e => (e.Mac, e.Ticks))), $"cutoff {cutoff}");
        }

        Assert.Equal(stamps[1], table.SetPending(1, "pod/ns/p1", "net1", null));
        Assert.True(table.Remove(0, "pod/ns/p0", "net1", out _));
        Assert.Equal(4, table.PendingCount);
        Assert.Equal([2UL, 3UL, 4UL, 5UL], table.PendingBefore(long.MaxValue).Select(e => e.Mac).Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Agrees_with_a_list_over_many_operations_and_several_doublings(int seed)
    {
        var random = new Random(seed);
        var owners = Enumerable.Range(0, 700).Select(i => $"pod/ns{i % 7}/p{i}").ToArray();
        string[] interfaces = ["net1", "net2", "eth0"];
        var table = new EntryTable();
        var model = new List<Entry>();
        var keys = new HashSet<(ulong, string, string)>();
        var holders = new Dictionary<ulong, int>();
        for (var op = 0; op < 40_000; op++)
        {
            // Grows to ~7,000 entries (chain heads double 16 -> 8,192), shrinks, grows again: slots reused in any order.
            var growing = op % 20_000 < 14_000;
            var roll = random.Next(100);
            var entry = new Entry((ulong)random.Next(12_000), owners[random.Next(owners.Length)], interfaces[random.Next(interfaces.Length)]);
            if (roll < (growing ? 60 : 30))
            {
                var isNew = keys.Add(entry.Key);
                var newMac = !holders.ContainsKey(entry.Mac);
                Assert.Equal(isNew, table.Add(entry.Mac, entry.Owner, entry.Interface, out var reportedNewMac));
                Assert.True(!isNew || reportedNewMac == newMac);
                if (isNew)
                {
                    model.Add(entry);
                    holders[entry.Mac] = holders.GetValueOrDefault(entry.Mac) + 1;
                }
            }
            else if (roll < 80 && model.Count > 0)
            {
                var victim = model[random.Next(model.Count)];
                model.Remove(victim);
                keys.Remove(victim.Key);
                var freed = --holders[victim.Mac] == 0 && holders.Remove(victim.Mac);
                Assert.True(table.Remove(victim.Mac, victim.Owner, victim.Interface, out var reportedFreed));
                Assert.Equal(freed, reportedFreed);
            }
            else if (roll < 99 && model.Count > 0)
            {
                var target = model[random.Next(model.Count)];
                long? stamp = random.Next(3) == 0 ? null : random.NextInt64(12 * Bucket);
                Assert.Equal(target.Pending, table.SetPending(target.Mac, target.Owner, target.Interface, stamp));
                target.Pending = stamp;
            }
            else
            {
                table.TrimExcess();
            }

            if (op % 1_000 == 0)
            {
                Check(table, model, random.NextInt64(13 * Bucket));
            }
        }

        Check(table, model, random.NextInt64(13 * Bucket));
    }

    private static void Check(EntryTable table, List<Entry> model, long cutoff)
    {
        Assert.Equal(model.Count, table.Count);
        Assert.Equal(model.Select(e => e.Mac).Distinct().Count(), table.MacCount);
        Assert.Equal(model.Select(e => e.Owner).Distinct().Count(), table.OwnerCount);
        Assert.Equal(model.Count(e => e.Pending is not null), table.PendingCount);

        var all = table.All().ToList();
        Assert.Equal(model.Count, all.Count);
        Assert.True(all.ToHashSet().SetEquals(model.Select(e => (e.Mac, e.Owner, e.Interface))));

        foreach (var group in model.GroupBy(e => e.Owner))
        {
            var entries = new List<(ulong, string)>();
            table.EntriesOf(group.Key, entries);
            Assert.True(group.Select(e => (e.Mac, e.Interface)).SequenceEqual(entries), $"entries of {group.Key}");
        }

        foreach (var group in model.GroupBy(e => e.Mac))
        {
            var holders = new List<(string, string)>();
            table.HoldersOf(group.Key, holders);
            Assert.True(group.Select(e => (e.Owner, e.Interface)).SequenceEqual(holders) && table.IsHeld(group.Key), $"holders of {group.Key}");
        }

        Assert.All(model, e => Assert.True(e.Pending == table.PendingSince(e.Mac, e.Owner, e.Interface)));

        var stale = model.Where(e => e.Pending < cutoff).Select(e => (e.Mac, e.Owner, e.Interface, e.Pending!.Value)).ToList();
        var listed = table.PendingBefore(cutoff).ToList();
        Assert.Equal(stale.Count, listed.Count);
        Assert.True(listed.ToHashSet().SetEquals(stale));
    }

    private sealed class Entry(ulong mac, string owner, string iface)
    {
        public ulong Mac { get; } = mac;

        public string Owner { get; } = owner;

        public string Interface { get; } = iface;

        public long? Pending { get; set; }

        public (ulong, string, string) Key => (Mac, Owner, Interface);
    }
}
