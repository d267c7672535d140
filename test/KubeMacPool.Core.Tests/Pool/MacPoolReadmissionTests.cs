using KubeMacPool.Core.Allocation;
using KubeMacPool.Core.Pool;
using static KubeMacPool.Core.Tests.Pool.PoolFixtures;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>
/// Re-admission of an object that was never persisted (a later webhook or a quota refused it and a controller
/// retries): the owner's pending MAC is reused, so its entries stay as many as its interfaces.
/// </summary>
public class MacPoolReadmissionTests
{
    private static readonly DateTimeOffset T1 = T0.AddSeconds(1);
    private static readonly DateTimeOffset T2 = T0.AddSeconds(2);

    [Fact]
    public void A_thousand_re_admissions_of_one_owner_keep_one_pending_entry_with_the_first_mac()
    {
        var pool = NewPool();
        var first = pool.Reserve(Pod, [MacRequest.Allocate("br1")], T0, false).Assignments[0];

        for (var i = 1; i <= 1000; i++)
        {
            var again = pool.Reserve(Pod, [MacRequest.Allocate("br1")], T0.AddMilliseconds(i), false);
            Assert.Equal(first, Assert.Single(again.Assignments));
        }

        var entry = Assert.Single(pool.EntriesOf(Pod));
        Assert.Equal(T0.AddMilliseconds(1000), entry.PendingSince);
        Assert.Equal((1, 1, 1), (pool.EntryCount, pool.PendingCount, pool.HeldCount));
    }

    [Fact]
    public void A_committed_mac_is_not_reused_by_a_create_of_the_same_name()
    {
        // The object exists: this CREATE will fail at the API server, and the committed MAC stays the live object's.
        var pool = NewPool();
        var live = pool.Reserve(Vm1, [MacRequest.Allocate("default")], null, false).Assignments[0].Mac;

        var retry = pool.Reserve(Vm1, [MacRequest.Allocate("default")], T1, false).Assignments[0].Mac;

        Assert.NotEqual(live, retry);
        pool.Commit(Vm1, T2, [("default", live)]);
        Assert.Equal([new MacEntry(live, Vm1, "default", null)], pool.EntriesOf(Vm1));
        Assert.False(pool.IsHeld(retry));
    }

    [Fact]
    public void Only_the_same_interface_reuses_and_other_owners_get_fresh_macs()
    {
        var pool = NewPool();
        var br1 = pool.Reserve(Pod, [MacRequest.Allocate("br1")], T0, false).Assignments[0].Mac;

        var both = pool.Reserve(Pod, [MacRequest.Allocate("br1"), MacRequest.Allocate("br2")], T1, false);
        var other = pool.Reserve(MacOwner.Pod("ns1", "~uid-2"), [MacRequest.Allocate("br1")], T1, false);

        Assert.Equal(br1, both.Assignments[0].Mac);
        Assert.NotEqual(br1, both.Assignments[1].Mac);
        Assert.NotEqual(br1, other.Assignments[0].Mac);
        Assert.NotEqual(both.Assignments[1].Mac, other.Assignments[0].Mac);
        Assert.Equal(3, pool.HeldCount);
    }

    [Fact]
    public void A_mac_the_same_request_asks_for_on_another_interface_is_not_reused()
    {
        var pool = NewPool();
        var earlier = pool.Reserve(Pod, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;

        var result = pool.Reserve(Pod, [MacRequest.Allocate("a"), MacRequest.Requested("b", earlier.ToString())], T1, false);

        Assert.True(result.Succeeded);
        Assert.NotEqual(earlier, result.Assignments[0].Mac);
        Assert.Equal(earlier, result.Assignments[1].Mac);
    }

    [Fact]
    public void A_pending_mac_another_owner_also_holds_is_not_reused()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        var shared = Mac("02:00:00:00:00:07");
        pool.Register(Vm2, "default", shared);
        pool.Reserve(Vm1, [MacRequest.Requested("default", shared.ToString())], T0, false);

        var result = pool.Reserve(Vm1, [MacRequest.Allocate("default")], T1, false);

        Assert.NotEqual(shared, result.Assignments[0].Mac);
    }

    [Fact]
    public void A_pending_mac_outside_a_replaced_range_is_not_reused()
    {
        var pool = NewPool();
        var old = pool.Reserve(Pod, [MacRequest.Allocate("br1")], T0, false).Assignments[0].Mac;
        pool.ReplaceRange(Range("0a:00:00:00:00:00", "0a:00:00:00:00:ff"));

        var result = pool.Reserve(Pod, [MacRequest.Allocate("br1")], T1, false);

        Assert.NotEqual(old, result.Assignments[0].Mac);
        Assert.True(pool.Range.Contains(result.Assignments[0].Mac));
    }

    [Fact]
    public void A_dry_run_re_admission_answers_the_pending_mac_and_leaves_its_timestamp()
    {
        var pool = NewPool();
        var pending = pool.Reserve(Pod, [MacRequest.Allocate("br1")], T0, false).Assignments[0].Mac;

        var dry = pool.Reserve(Pod, [MacRequest.Allocate("br1")], null, true);

        Assert.Equal(pending, dry.Assignments[0].Mac);
        Assert.Equal([new MacEntry(pending, Pod, "br1", T0)], pool.EntriesOf(Pod));
    }

    [Fact]
    public void A_failed_re_admission_gives_the_reused_entry_its_old_timestamp_back()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:01"), randomOffset: _ => 0);
        var pending = pool.Reserve(Pod, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;
        pool.Register(Vm1, "default", Mac("02:00:00:00:00:01"));

        var result = pool.Reserve(Pod, [MacRequest.Allocate("a"), MacRequest.Allocate("b")], T1, false);

        Assert.Equal(RangeAllocator.RangeFullError, result.Error);
        Assert.Equal([new MacEntry(pending, Pod, "a", T0)], pool.EntriesOf(Pod));
        Assert.Equal(1, pool.PendingCount);
    }

    [Fact]
    public void A_commit_of_the_earlier_persisted_review_keeps_the_reused_entry_pending_for_the_later_one()
    {
        // Review 1 (T0) was persisted; its retry (T1) reused the MAC. The VM's commit at T0 must not settle T1's entry,
        // and heal after the retry failed keeps it, since the live object carries it.
        var pool = NewPool();
        var mac = pool.Reserve(Vm1, [MacRequest.Allocate("default")], T0, false).Assignments[0].Mac;
        pool.Reserve(Vm1, [MacRequest.Allocate("default")], T1, false);

        pool.Commit(Vm1, T0, [("default", mac)]);
        Assert.Equal(T1, Assert.Single(pool.EntriesOf(Vm1)).PendingSince);

        pool.Commit(Vm1, T2, [("default", mac)]);
        Assert.Equal([new MacEntry(mac, Vm1, "default", null)], pool.EntriesOf(Vm1));
    }

    [Fact]
    public void Stale_owners_are_distinct_older_than_the_cutoff_and_at_most_the_limit()
    {
        var pool = NewPool();
        for (var i = 0; i < 10; i++)
        {
            pool.Reserve(MacOwner.Pod("ns", "p" + i), [MacRequest.Allocate("a"), MacRequest.Allocate("b")], T0, false);
        }

        pool.Reserve(MacOwner.Pod("ns", "young"), [MacRequest.Allocate("a")], T1, false);

        Assert.Equal(4, pool.StaleOwners(T1, 4).Count);
        var all = pool.StaleOwners(T1, 100);
        Assert.Equal(10, all.Distinct().Count());
        Assert.DoesNotContain(MacOwner.Pod("ns", "young"), all);
        Assert.Empty(pool.StaleOwners(T0, 100));
    }
}
