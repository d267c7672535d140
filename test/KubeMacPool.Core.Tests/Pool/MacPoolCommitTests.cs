using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using static KubeMacPool.Core.Tests.Pool.PoolFixtures;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>The transaction-timestamp protocol (spec §3.8, §9, §13.6): commit, release at commit, heal.</summary>
public class MacPoolCommitTests
{
    private static readonly DateTimeOffset T1 = T0.AddSeconds(1);
    private static readonly DateTimeOffset T2 = T0.AddSeconds(2);

    [Fact]
    public void Commit_follows_the_upstream_transaction_sequence()
    {
        var pool = NewPool();
        var mac = pool.Reserve(Vm1, [MacRequest.Allocate("pod")], T0, false).Assignments[0].Mac;
        (string, MacAddress)[] withInterface = [("pod", mac)];

        // Create at T0, persisted with T0: committed.
        pool.Commit(Vm1, T0, withInterface);
        Assert.Equal([new MacEntry(mac, Vm1, "pod", null)], pool.EntriesOf(Vm1));

        // Update removing the interface at T1: pending until a persisted T1 shows it gone, then released.
        pool.Reserve(Vm1, [MacRequest.Touch("pod", mac)], T1, false);
        Assert.Equal(T1, Assert.Single(pool.EntriesOf(Vm1)).PendingSince);
        pool.Commit(Vm1, T1, []);
        Assert.Empty(pool.EntriesOf(Vm1));
        Assert.False(pool.IsHeld(mac));

        // Re-added at T2: a persisted object still at T1 leaves it pending, T2 commits it.
        pool.Reserve(Vm1, [MacRequest.Requested("pod", mac.ToString())], T2, false);
        pool.Commit(Vm1, T1, []);
        Assert.Equal(T2, Assert.Single(pool.EntriesOf(Vm1)).PendingSince);
        pool.Commit(Vm1, T2, withInterface);
        Assert.Null(Assert.Single(pool.EntriesOf(Vm1)).PendingSince);

        // An update at T3 that another admission rejects: the object stays at T2, the entry stays pending at T3.
        var t3 = T0.AddSeconds(3);
        pool.Reserve(Vm1, [MacRequest.Touch("pod", mac)], t3, false);
        pool.Commit(Vm1, T2, []);
        Assert.Equal(t3, Assert.Single(pool.EntriesOf(Vm1)).PendingSince);
    }

    [Fact]
    public void Equal_timestamps_count_as_persisted()
    {
        var pool = NewPool();
        var stamp = TransactionTimestamp.Parse("2026-01-01T00:00:00.1234567Z")!.Value;
        var mac = pool.Reserve(Vm1, [MacRequest.Allocate("a")], stamp, false).Assignments[0].Mac;
        pool.Commit(Vm1, stamp.AddTicks(-1), [("a", mac)]);
        Assert.Equal(1, pool.PendingCount);
        pool.Commit(Vm1, TransactionTimestamp.Parse("2026-01-01T01:00:00.1234567+01:00")!.Value, [("a", mac)]);
        Assert.Equal(0, pool.PendingCount);
    }

    [Fact]
    public void Commit_matches_interface_and_mac_together_in_any_syntax()
    {
        var pool = NewPool();
        var result = pool.Reserve(Vm1, [MacRequest.Requested("a", "02-00-00-00-00-AA"), MacRequest.Requested("b", "02:00:00:00:00:bb")], T0, false);
        Assert.True(result.Succeeded);

        // The persisted VM swapped the MACs between its interfaces: neither entry is what it carries.
        pool.Commit(Vm1, T0, [("a", Mac("02:00:00:00:00:bb")), ("b", Mac("0200.0000.00aa"))]);
        Assert.Empty(pool.EntriesOf(Vm1));
    }

    [Fact]
    public void Replacing_a_mac_releases_the_old_one_only_at_commit()
    {
        var pool = NewPool();
        var old = pool.Reserve(Vm1, [MacRequest.Allocate("br1")], null, false).Assignments[0].Mac;
        pool.Reserve(Vm1, [MacRequest.Requested("br1", "0a:00:00:00:00:02"), MacRequest.Touch("br1", old)], T1, false);
        Assert.Equal(2, pool.EntriesOf(Vm1).Count);
        Assert.All(pool.EntriesOf(Vm1), e => Assert.Equal(T1, e.PendingSince));

        pool.Commit(Vm1, T1, [("br1", Mac("0a:00:00:00:00:02"))]);
        Assert.Equal([new MacEntry(Mac("0a:00:00:00:00:02"), Vm1, "br1", null)], pool.EntriesOf(Vm1));
        Assert.False(pool.IsHeld(old));
    }

    [Fact]
    public void Commit_leaves_committed_entries_and_other_owners_alone()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        var committed = pool.Reserve(Vm1, [MacRequest.Allocate("a")], null, false).Assignments[0].Mac;
        pool.Reserve(Vm2, [MacRequest.Requested("a", committed.ToString())], T0, false);
        pool.Commit(Vm1, T2, []);
        pool.Commit(Vm2, T0.AddTicks(-1), []);
        Assert.Equal(2, pool.EntriesAt(committed).Count);
    }

    [Fact]
    public void Committing_after_a_release_adds_nothing_back()
    {
        var pool = NewPool();
        var mac = pool.Reserve(Vm1, [MacRequest.Allocate("pod")], T0, false).Assignments[0].Mac;
        pool.Release(Vm1);
        pool.Commit(Vm1, T0, [("pod", mac)]);
        Assert.Equal((0, 0, 0), (pool.HeldCount, pool.PendingCount, pool.OwnerCount));
    }

    [Fact]
    public void Register_commits_a_pending_entry_and_reports_duplicates_without_refusing()
    {
        var pool = NewPool();
        var mac = Mac("02:00:ff:ff:ff:ff");
        pool.Reserve(Vm1, [MacRequest.Requested("br1", mac.ToString())], T0, false);
        Assert.False(pool.Register(Vm1, "br1", mac));
        Assert.True(pool.Register(Vm2, "br1", mac));
        Assert.True(pool.Register(Vm2, "br1", mac));
        Assert.Equal(2, pool.EntriesAt(mac).Count);
        Assert.All(pool.EntriesAt(mac), e => Assert.Null(e.PendingSince));
    }

    [Fact]
    public void Release_removes_only_the_owners_entries()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        var mac = Mac("02:00:00:00:00:10");
        pool.Register(Pod, "ovs-conf", mac);
        pool.Reserve(Vm1, [MacRequest.Requested("default", mac.ToString()), MacRequest.Allocate("br1")], T0, false);
        Assert.Equal(2, pool.Release(Vm1));
        Assert.Equal([new MacEntry(mac, Pod, "ovs-conf", null)], pool.EntriesAt(mac));
        Assert.Equal((1, 0, 1), (pool.HeldCount, pool.PendingCount, pool.OwnerCount));

        // The MAC stays out of allocation while the pod holds it, and comes back once nobody does.
        Assert.Equal(1UL, pool.AllocatorFigures().UsedInRange);
        Assert.Equal(1, pool.Release(Pod));
        Assert.False(pool.IsHeld(mac));
        Assert.Equal(0UL, pool.AllocatorFigures().UsedInRange);
        Assert.Equal(0, pool.Release(Pod));
    }

    [Fact]
    public void Stale_pending_lists_entries_older_than_the_cutoff()
    {
        var pool = NewPool();
        var a = pool.Reserve(Vm1, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;
        pool.Reserve(Vm2, [MacRequest.Allocate("a")], T2, false);
        pool.Reserve(Pod, [MacRequest.Allocate("net")], null, false);

        Assert.Equal([new MacEntry(a, Vm1, "a", T0)], pool.StalePending(T1));
        Assert.Empty(pool.StalePending(T0));
        Assert.Equal(2, pool.StalePending(T2.AddTicks(1)).Count);
    }

    [Fact]
    public void Heal_commits_what_the_live_object_carries_and_releases_the_rest()
    {
        var pool = NewPool();
        var kept = pool.Reserve(Vm1, [MacRequest.Allocate("br1")], T0, false).Assignments[0].Mac;
        pool.Commit(Vm1, T0, [("br1", kept)]);

        // An update at T0+5 s (adding br2, touching br1) is rejected after our webhook: the object stays at T0.
        var added = pool.Reserve(Vm1, [MacRequest.Touch("br1", kept), MacRequest.Allocate("br2")], T0.AddSeconds(5), false).Assignments[0].Mac;
        pool.Commit(Vm1, T0, [("br1", kept)]);
        Assert.Equal(2, pool.StalePending(T0.AddSeconds(10)).Count);

        // A newer in-flight update of a third interface is not stale yet.
        var fresh = pool.Reserve(Vm1, [MacRequest.Allocate("br3")], T0.AddSeconds(20), false).Assignments[0].Mac;

        // Heal pass with cutoff T0+10 s: the live object still has br1 only.
        var cutoff = T0.AddSeconds(10);
        pool.Commit(Vm1, cutoff, [("br1", kept)]);
        Assert.Empty(pool.StalePending(cutoff));
        Assert.Equal(
            [new MacEntry(kept, Vm1, "br1", null), new MacEntry(fresh, Vm1, "br3", T0.AddSeconds(20))],
            pool.EntriesOf(Vm1));
        Assert.False(pool.IsHeld(added));
    }

    [Fact]
    public void Heal_of_a_vanished_object_releases_its_stale_entries()
    {
        var pool = NewPool();
        pool.Reserve(Vm1, [MacRequest.Allocate("br1"), MacRequest.Allocate("br2")], T0, false);
        pool.Commit(Vm1, T1, []);
        Assert.Equal((0, 0, 0), (pool.HeldCount, pool.PendingCount, pool.OwnerCount));
    }
}
