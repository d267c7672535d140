using CsCheck;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

public class EntryTableTests
{
    [Fact]
    public void Counts_entries_distinct_macs_and_owners()
    {
        var table = new EntryTable();
        Assert.True(table.Add(1, "vm/a/x", "eth0", out var newMac));
        Assert.True(newMac);
        Assert.True(table.Add(1, "vm/b/y", "eth0", out newMac));
        Assert.False(newMac);
        Assert.False(table.Add(1, "vm/b/y", "eth0", out _));
        Assert.True(table.Add(2, "vm/a/x", "eth1", out _));
        Assert.Equal((3, 2, 2), (table.Count, table.MacCount, table.OwnerCount));

        Assert.True(table.Remove(1, "vm/a/x", "eth0", out var freed));
        Assert.False(freed);
        Assert.True(table.IsHeld(1));
        Assert.False(table.IsHeldByOther(1, "vm/b/y"));
        Assert.True(table.Remove(1, "vm/b/y", "eth0", out freed));
        Assert.True(freed);
        Assert.False(table.Remove(1, "vm/b/y", "eth0", out _));
        Assert.Equal((1, 1, 1), (table.Count, table.MacCount, table.OwnerCount));
    }

    [Fact]
    public void Entries_of_one_owner_share_one_name_string()
    {
        var table = new EntryTable();
        table.Add(1, "vm/a/x", "eth0", out _);
        var later = new string("vm/a/x".AsSpan());
        table.Add(2, later, "eth1", out _);
        var entries = new List<(ulong, string)>();
        table.EntriesOf("vm/a/x", entries);
        Assert.Equal(2, entries.Count);
        Assert.All(table.All(), e => Assert.Same(table.All().First().Owner, e.Owner));
    }

    [Fact]
    public void Trimming_leaves_no_slack()
    {
        var table = new EntryTable();
        for (ulong i = 0; i < 1000; i++)
        {
            table.Add(i, "pod/ns/p" + i, "net1", out _);
        }

        Assert.True(table.Capacity > 1000);
        table.TrimExcess();
        Assert.Equal(1000, table.Capacity);
        Assert.True(table.IsHeld(999));
    }

    /// <summary>
    /// Random adds and removes over few MACs and owners (long chains, freed slots reused, growth, trimming) against a
    /// list in insertion order: same membership (in no particular order), same counts, and both chains in insertion order.
    /// </summary>
    [Fact]
    public void Behaves_like_an_ordered_list_of_entries()
    {
        string[] owners = ["vm/a/1", "vm/a/2", "pod/b/1", "pod/b/2", "vm/c/3"];
        string[] interfaces = ["eth0", "net1"];
        var op = Gen.Select(Gen.Int[0, 3], Gen.ULong[0, 7], Gen.Int[0, owners.Length - 1], Gen.Int[0, interfaces.Length - 1]);
        op.Array[1, 400].Sample(ops =>
        {
            var table = new EntryTable();
            var model = new List<(ulong Mac, string Owner, string Interface)>();
            foreach (var (kind, mac, o, i) in ops)
            {
                var entry = (mac, owners[o], interfaces[i]);
                if (kind == 3)
                {
                    table.TrimExcess();
                }
                else if (kind == 0)
                {
                    var removed = model.Remove(entry);
                    if (table.Remove(mac, owners[o], interfaces[i], out var freed) != removed || (removed && freed == model.Exists(e => e.Mac == mac)))
                    {
                        return false;
                    }
                }
                else
                {
                    var isNew = !model.Contains(entry);
                    var newMac = !model.Exists(e => e.Mac == mac);
                    if (table.Add(mac, owners[o], interfaces[i], out var reportedNewMac) != isNew || (isNew && reportedNewMac != newMac))
                    {
                        return false;
                    }

                    if (isNew)
                    {
                        model.Add(entry);
                    }
                }
            }

            var byOwner = new List<(ulong, string)>();
            var byMac = new List<(string, string)>();
            foreach (var owner in owners)
            {
                table.EntriesOf(owner, byOwner);
            }

            for (ulong mac = 0; mac < 8; mac++)
            {
                table.HoldersOf(mac, byMac);
            }

            var all = table.All().ToList();
            return all.Count == model.Count && all.ToHashSet().SetEquals(model)
                && table.Count == model.Count
                && table.MacCount == model.Select(e => e.Mac).Distinct().Count()
                && table.OwnerCount == model.Select(e => e.Owner).Distinct().Count()
                && byOwner.SequenceEqual(owners.SelectMany(o => model.Where(e => e.Owner == o).Select(e => (e.Mac, e.Interface))))
                && byMac.SequenceEqual(Enumerable.Range(0, 8).SelectMany(m => model.Where(e => e.Mac == (ulong)m).Select(e => (e.Owner, e.Interface))));
        }, iter: 500);
    }
}
