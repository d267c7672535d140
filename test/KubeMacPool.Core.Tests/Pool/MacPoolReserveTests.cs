using KubeMacPool.Core.Allocation;
using KubeMacPool.Core.Pool;
using static KubeMacPool.Core.Tests.Pool.PoolFixtures;

namespace KubeMacPool.Core.Tests.Pool;

public class MacPoolReserveTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void A_two_address_pool_serves_both_addresses_then_is_full_and_returns_a_released_one(ulong start)
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:01"), randomOffset: _ => start);
        var first = pool.Reserve(Vm1, [MacRequest.Allocate("default")], T0, false);
        var second = pool.Reserve(Vm2, [MacRequest.Allocate("default")], T0, false);
        Assert.Equal(
            ["02:00:00:00:00:00", "02:00:00:00:00:01"],
            new[] { first.Assignments[0].Mac.ToString(), second.Assignments[0].Mac.ToString() }.Order());
        var third = pool.Reserve(MacOwner.VirtualMachine("ns", "vm3"), [MacRequest.Allocate("default")], T0, false);
        Assert.Equal("the range is full", third.Error);

        pool.Release(Vm1);
        var again = pool.Reserve(MacOwner.VirtualMachine("ns", "vm3"), [MacRequest.Allocate("default")], T0, false);
        Assert.Equal(first.Assignments[0].Mac, again.Assignments[0].Mac);
    }

    [Fact]
    public void An_allocation_never_takes_a_mac_requested_in_the_same_request()
    {
        // The cursor points at 02:..:00, which the second interface asks for.
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:01"), randomOffset: _ => 0);
        var result = pool.Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Requested("b", "02:00:00:00:00:00")], T0, false);
        Assert.Equal(
            [new MacAssignment("a", Mac("02:00:00:00:00:01"), Allocated: true), new MacAssignment("b", Mac("02:00:00:00:00:00"), Allocated: false)],
            result.Assignments);
    }

    [Fact]
    public void Assignments_follow_the_request_order_and_touches_give_none()
    {
        var pool = NewPool();
        var held = pool.Reserve(Vm1, [MacRequest.Allocate("old")], null, false).Assignments[0].Mac;
        var result = pool.Reserve(Vm1, [MacRequest.Touch("old", held), MacRequest.Allocate("x"), MacRequest.Requested("y", "0e:00:00:00:00:01"), MacRequest.Allocate("z")], T0, false);
        Assert.Equal(["x", "y", "z"], result.Assignments.Select(a => a.InterfaceKey));
        Assert.Equal([true, false, true], result.Assignments.Select(a => a.Allocated));
    }

    [Fact]
    public void A_failed_request_rolls_back_everything_it_did()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:02"), randomOffset: _ => 0);
        var held = pool.Reserve(Vm1, [MacRequest.Allocate("keep")], null, false).Assignments[0].Mac;
        var result = pool.Reserve(
            Vm1,
            [MacRequest.Touch("keep", held), MacRequest.Requested("r", "0a:00:00:00:00:01"), MacRequest.Allocate("a"), MacRequest.Allocate("b"), MacRequest.Allocate("c")],
            T0,
            false);

        Assert.Equal(RangeAllocator.RangeFullError, result.Error);
        var left = Assert.Single(pool.EntriesOf(Vm1));
        Assert.Equal(new MacEntry(held, Vm1, "keep", null), left);
        Assert.Equal((1, 0, 1), (pool.HeldCount, pool.PendingCount, pool.OwnerCount));
        Assert.False(pool.IsHeld(Mac("0a:00:00:00:00:01")));
        Assert.True(pool.Reserve(Vm2, [MacRequest.Allocate("a"), MacRequest.Allocate("b")], T0, false).Succeeded);
    }

    [Fact]
    public void A_refused_request_changes_nothing_not_even_pending_timestamps()
    {
        var pool = NewPool();
        var mine = pool.Reserve(Vm1, [MacRequest.Allocate("a")], null, false).Assignments[0].Mac;
        pool.Reserve(Vm2, [MacRequest.Requested("a", "02:00:00:00:00:aa")], null, false);
        var refused = pool.Reserve(Vm1, [MacRequest.Touch("a", mine), MacRequest.Requested("b", "02:00:00:00:00:aa")], T0, false);
        Assert.Equal(MacPool.RequestedMacTakenError, refused.Error);
        Assert.Null(Assert.Single(pool.EntriesOf(Vm1)).PendingSince);
    }

    [Fact]
    public void Intra_request_duplicates_are_refused_in_any_syntax_and_policy()
    {
        foreach (var policy in new[] { DuplicatePolicy.Reject, DuplicatePolicy.Allow })
        {
            var pool = NewPool(policy);
            var result = pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:ff:ff"), MacRequest.Allocate("x"), MacRequest.Requested("br2", "0200.0000.FFFF")], T0, false);
            Assert.Equal("duplicate MAC address 02:00:00:00:ff:ff found on interfaces: br1 and br2", result.Error);
            Assert.Equal(0, pool.HeldCount);
        }
    }

    [Theory]
    [InlineData("invalid-mac", "invalid MAC address format for interface br1: invalid-mac: address invalid-mac: invalid MAC address")]
    [InlineData("02:00:5e:10:00:00:00:01", "invalid MAC address format for interface br1: 02:00:5e:10:00:00:00:01: address 02:00:5e:10:00:00:00:01: only 6-byte (EUI-48) MAC addresses are supported, got 8 bytes")]
    public void An_invalid_requested_mac_names_the_interface(string mac, string expected)
    {
        var pool = NewPool();
        var result = pool.Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Requested("br1", mac)], T0, false);
        Assert.Equal(expected, result.Error);
        Assert.Equal(0, pool.HeldCount);
    }

    [Fact]
    public void The_first_problem_in_request_order_is_reported()
    {
        var result = NewPool().Reserve(
            Vm1,
            [MacRequest.Requested("a", "02:00:00:00:00:01"), MacRequest.Requested("b", "02:00:00:00:00:01"), MacRequest.Requested("c", "bad")],
            T0,
            false);
        Assert.StartsWith("duplicate MAC address 02:00:00:00:00:01", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Under_reject_another_owners_mac_is_refused_but_the_same_owner_may_request_it_again()
    {
        var pool = NewPool();
        Assert.True(pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], T0, false).Succeeded);
        Assert.Equal(MacPool.RequestedMacTakenError, pool.Reserve(Vm2, [MacRequest.Requested("br1", "02-00-00-00-00-AA")], T0, false).Error);
        Assert.Equal(MacPool.RequestedMacTakenError, pool.Reserve(Pod, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], T0, false).Error);

        // A re-created VM (same name) asks for its MAC again while the old entry is pending.
        var again = pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], T0.AddSeconds(1), false);
        Assert.True(again.Succeeded);
        Assert.Empty(again.SharedWithOtherOwners);
        var entry = Assert.Single(pool.EntriesAt(Mac("02:00:00:00:00:aa")));
        Assert.Equal(T0.AddSeconds(1), entry.PendingSince);
    }

    [Fact]
    public void Under_reject_the_same_owner_may_move_its_mac_to_another_interface()
    {
        var pool = NewPool();
        pool.Reserve(Vm1, [MacRequest.Requested("old", "02:00:00:00:00:aa")], null, false);
        var moved = pool.Reserve(Vm1, [MacRequest.Touch("old", Mac("02:00:00:00:00:aa")), MacRequest.Requested("new", "02:00:00:00:00:aa")], T0, false);
        Assert.True(moved.Succeeded);
        pool.Commit(Vm1, T0, [("new", Mac("02:00:00:00:00:aa"))]);
        var entry = Assert.Single(pool.EntriesOf(Vm1));
        Assert.Equal(("new", (DateTimeOffset?)null), (entry.InterfaceKey, entry.PendingSince));
    }

    [Fact]
    public void Under_allow_both_owners_are_recorded_in_order_and_reported()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        var first = pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], null, false);
        var second = pool.Reserve(Vm2, [MacRequest.Requested("br1", "02:00:00:00:00:AA"), MacRequest.Requested("br2", "02:00:00:00:00:bb")], null, false);
        Assert.Empty(first.SharedWithOtherOwners);
        Assert.True(second.Succeeded);
        Assert.Equal([Mac("02:00:00:00:00:aa")], second.SharedWithOtherOwners);
        Assert.Equal(["vm/ns1/vm1", "vm/ns2/vm2"], pool.EntriesAt(Mac("02:00:00:00:00:aa")).Select(e => e.Owner.ToString()));
        Assert.Equal(2, pool.HeldCount);
        Assert.Equal(3, pool.EntryCount);
    }

    [Fact]
    public void The_duplicate_policy_applies_from_the_next_request()
    {
        var pool = NewPool();
        pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], null, false);
        pool.DuplicatePolicy = DuplicatePolicy.Allow;
        Assert.True(pool.Reserve(Vm2, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], null, false).Succeeded);
        pool.DuplicatePolicy = DuplicatePolicy.Reject;
        Assert.False(pool.Reserve(Pod, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], null, false).Succeeded);
    }

    [Fact]
    public void Requested_macs_outside_the_range_are_held_and_never_allocated()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:01"), randomOffset: _ => 0);
        Assert.True(pool.Reserve(Vm1, [MacRequest.Requested("a", "0a:00:00:00:00:02")], T0, false).Succeeded);
        Assert.True(pool.IsHeld(Mac("0a:00:00:00:00:02")));
        Assert.Equal(0UL, pool.AllocatorFigures().UsedInRange);
    }

    [Fact]
    public void Dry_run_answers_but_stores_nothing_and_moves_the_cursor()
    {
        var pool = NewPool();
        var first = pool.Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Requested("b", "06:00:00:00:00:01")], T0, dryRun: true);
        Assert.True(first.Succeeded);
        Assert.Equal(2, first.Assignments.Count);
        Assert.Equal((0, 0, 0), (pool.HeldCount, pool.PendingCount, pool.OwnerCount));

        // As upstream: a second dry run answers another MAC.
        var second = pool.Reserve(Vm1, [MacRequest.Allocate("a")], T0, dryRun: true);
        Assert.NotEqual(first.Assignments[0].Mac, second.Assignments[0].Mac);

        // A real request may take the MAC the dry run answered with.
        Assert.True(pool.Reserve(Vm2, [MacRequest.Requested("b", "06:00:00:00:00:01")], T0, false).Succeeded);
    }

    [Fact]
    public void Dry_run_leaves_existing_entries_and_their_timestamps_alone()
    {
        var pool = NewPool();
        var mac = pool.Reserve(Vm1, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;
        pool.Reserve(Vm1, [MacRequest.Touch("a", mac), MacRequest.Requested("a", mac.ToString()), MacRequest.Allocate("b")], T0.AddSeconds(9), dryRun: true);
        Assert.Equal([new MacEntry(mac, Vm1, "a", T0)], pool.EntriesOf(Vm1));
        Assert.Equal(1, pool.HeldCount);
    }

    [Fact]
    public void Dry_run_still_refuses_what_a_real_request_would()
    {
        var pool = NewPool();
        pool.Reserve(Vm1, [MacRequest.Requested("a", "02:00:00:00:00:10")], null, false);
        Assert.Equal(MacPool.RequestedMacTakenError, pool.Reserve(Vm2, [MacRequest.Requested("a", "02:00:00:00:00:10")], null, dryRun: true).Error);
    }

    [Fact]
    public void Touching_an_entry_the_owner_does_not_hold_does_nothing()
    {
        var pool = NewPool();
        var mac = pool.Reserve(Vm2, [MacRequest.Allocate("a")], null, false).Assignments[0].Mac;
        Assert.True(pool.Reserve(Vm1, [MacRequest.Touch("a", mac)], T0, false).Succeeded);
        Assert.Equal(0, pool.PendingCount);
        Assert.Empty(pool.EntriesOf(Vm1));
    }

    [Fact]
    public void Without_a_timestamp_entries_are_committed_at_once()
    {
        var pool = NewPool();
        pool.Reserve(Pod, [MacRequest.Allocate("ovs-conf")], null, false);
        Assert.Null(Assert.Single(pool.EntriesOf(Pod)).PendingSince);
        Assert.Equal(0, pool.PendingCount);
    }

    [Fact]
    public void A_default_owner_is_refused()
    {
        Assert.Throws<ArgumentException>(() => NewPool().Reserve(default, [MacRequest.Allocate("a")], null, false));
    }
}
