using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

public class MacPoolTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly MacOwner Vm1 = MacOwner.VirtualMachine("ns1", "vm1");
    private static readonly MacOwner Vm2 = MacOwner.VirtualMachine("ns2", "vm2");
    private static readonly MacOwner Pod = MacOwner.Pod("ns1", "podpod");

    private static MacRange Range(string start, string end) =>
        MacRange.TryParse(start, end, out var range, out var error) ? range : throw new InvalidOperationException(error);

    private static MacPool NewPool(DuplicatePolicy policy = DuplicatePolicy.Reject) =>
        new(Range("02:00:00:00:00:00", "02:00:00:00:00:ff"), policy, _ => 0);

    [Fact]
    public void A_two_address_pool_serves_two_vms_and_refuses_the_third()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:01"));
        Assert.True(pool.Reserve(Vm1, [MacRequest.Allocate("default")], T0, false).Succeeded);
        Assert.True(pool.Reserve(Vm2, [MacRequest.Allocate("default")], T0, false).Succeeded);
        var third = pool.Reserve(MacOwner.VirtualMachine("ns", "vm3"), [MacRequest.Allocate("default")], T0, false);
        Assert.Equal(RangeAllocator.RangeFullError, third.Error);
    }

    [Fact]
    public void A_failed_request_rolls_back_everything_it_did()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:01"));
        var result = pool.Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Allocate("b"), MacRequest.Allocate("c")], T0, false);
        Assert.Equal("the range is full", result.Error);
        Assert.Equal(0, pool.HeldCount);
        Assert.Equal(0, pool.PendingCount);
        Assert.Equal(0, pool.OwnerCount);
        Assert.True(pool.Reserve(Vm2, [MacRequest.Allocate("a"), MacRequest.Allocate("b")], T0, false).Succeeded);
    }

    [Fact]
    public void Intra_request_duplicates_are_refused_in_any_syntax()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        var result = pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:ff:ff"), MacRequest.Requested("br2", "02-00-00-00-FF-FF")], T0, false);
        Assert.Equal("duplicate MAC address 02:00:00:00:ff:ff found on interfaces: br1 and br2", result.Error);
        Assert.Equal(0, pool.HeldCount);
    }

    [Fact]
    public void An_invalid_requested_mac_names_the_interface()
    {
        var result = NewPool().Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Requested("br1", "invalid-mac")], T0, false);
        Assert.Equal("invalid MAC address format for interface br1: invalid-mac: address invalid-mac: invalid MAC address", result.Error);
    }

    [Fact]
    public void Under_reject_another_owners_mac_is_refused_but_the_same_owner_may_request_it_again()
    {
        var pool = NewPool();
        Assert.True(pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], T0, false).Succeeded);
        Assert.Equal(MacPool.RequestedMacTakenError, pool.Reserve(Vm2, [MacRequest.Requested("br1", "02-00-00-00-00-AA")], T0, false).Error);
        Assert.True(pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], T0, false).Succeeded);
        Assert.Single(pool.EntriesAt(MacAddress.Parse("02:00:00:00:00:aa")));
    }

    [Fact]
    public void Under_allow_both_owners_are_recorded_and_reported()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        pool.Reserve(Vm1, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], null, false);
        var second = pool.Reserve(Vm2, [MacRequest.Requested("br1", "02:00:00:00:00:aa")], null, false);
        Assert.True(second.Succeeded);
        Assert.Equal([MacAddress.Parse("02:00:00:00:00:aa")], second.SharedWithOtherOwners);
        Assert.Equal(["vm/ns1/vm1", "vm/ns2/vm2"], pool.EntriesAt(MacAddress.Parse("02:00:00:00:00:aa")).Select(e => e.Owner.Key));
    }

    [Fact]
    public void Release_keeps_the_other_owners_of_a_shared_mac()
    {
        var pool = NewPool(DuplicatePolicy.Allow);
        var mac = MacAddress.Parse("02:00:00:00:00:10");
        pool.Register(Pod, "ovs-conf", mac);
        pool.Reserve(Vm1, [MacRequest.Requested("default", mac.ToString())], T0, false);
        Assert.Equal(1, pool.Release(Vm1));
        var left = Assert.Single(pool.EntriesAt(mac));
        Assert.Equal(Pod, left.Owner);
        Assert.True(pool.IsHeld(mac));
        pool.Release(Pod);
        Assert.False(pool.IsHeld(mac));
    }

    [Fact]
    public void Dry_run_answers_but_stores_nothing()
    {
        var pool = NewPool();
        var result = pool.Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Requested("b", "06:00:00:00:00:01")], T0, dryRun: true);
        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Assignments.Count);
        Assert.Equal(0, pool.HeldCount);
        Assert.Equal(0, pool.PendingCount);

        // A real request may take the MAC the dry run answered with.
        Assert.True(pool.Reserve(Vm2, [MacRequest.Requested("b", "06:00:00:00:00:01")], T0, false).Succeeded);
    }

    [Fact]
    public void Register_reports_duplicates_and_never_refuses()
    {
        var pool = NewPool();
        var mac = MacAddress.Parse("02:00:ff:ff:ff:ff");
        Assert.False(pool.Register(Vm1, "br1", mac));
        Assert.True(pool.Register(Vm2, "br1", mac));
        Assert.Equal(2, pool.EntriesAt(mac).Count);
        Assert.All(pool.EntriesAt(mac), e => Assert.Null(e.PendingSince));
    }

    [Fact]
    public void Commit_follows_the_transaction_sequence()
    {
        var pool = NewPool();
        var t1 = T0.AddSeconds(1);
        var t2 = T0.AddSeconds(2);
        var result = pool.Reserve(Vm1, [MacRequest.Allocate("pod")], T0, false);
        var mac = result.Assignments[0].Mac;
        (string, MacAddress)[] withInterface = [("pod", mac)];

        pool.Commit(Vm1, T0, withInterface);
        Assert.Null(Assert.Single(pool.EntriesOf(Vm1)).PendingSince);

        // Update removing the interface at T1: pending until a persisted T1 shows it gone.
        pool.Reserve(Vm1, [MacRequest.Touch("pod", mac)], t1, false);
        Assert.Equal(t1, Assert.Single(pool.EntriesOf(Vm1)).PendingSince);
        pool.Commit(Vm1, t1, []);
        Assert.Empty(pool.EntriesOf(Vm1));
        Assert.False(pool.IsHeld(mac));

        // Re-adding at T2; a persisted object still at T1 leaves it pending; T2 commits it.
        pool.Reserve(Vm1, [MacRequest.Requested("pod", mac.ToString())], t2, false);
        pool.Commit(Vm1, t1, []);
        Assert.Equal(t2, Assert.Single(pool.EntriesOf(Vm1)).PendingSince);
        pool.Commit(Vm1, t2, withInterface);
        Assert.Null(Assert.Single(pool.EntriesOf(Vm1)).PendingSince);
    }

    [Fact]
    public void A_rejected_update_keeps_the_mac_reserved_until_the_heal_pass_sees_the_object()
    {
        var pool = NewPool();
        var mac = pool.Reserve(Vm1, [MacRequest.Allocate("br1")], T0, false).Assignments[0].Mac;
        pool.Commit(Vm1, T0, [("br1", mac)]);
        pool.Reserve(Vm1, [MacRequest.Touch("br1", mac)], T0.AddSeconds(5), false);

        // The update never persisted: the object still carries T0.
        pool.Commit(Vm1, T0, [("br1", mac)]);
        Assert.Single(pool.StalePending(T0.AddSeconds(10)));
        Assert.Empty(pool.StalePending(T0.AddSeconds(5)));

        // Heal: the live object still has the interface, so the entry is committed again.
        pool.Commit(Vm1, T0.AddSeconds(10), [("br1", mac)]);
        Assert.Empty(pool.StalePending(T0.AddSeconds(10)));
        Assert.True(pool.IsHeld(mac));
    }

    [Fact]
    public void Replacing_the_range_keeps_entries_and_allocates_from_the_new_range()
    {
        var pool = NewPool();
        var old = pool.Reserve(Vm1, [MacRequest.Allocate("a")], null, false).Assignments[0].Mac;
        var next = Range("0a:00:00:00:00:00", "0a:00:00:00:00:01");
        pool.ReplaceRange(next);
        pool.Register(Vm2, "x", MacAddress.Parse("0a:00:00:00:00:00"));
        var fresh = pool.Reserve(MacOwner.VirtualMachine("n", "v"), [MacRequest.Allocate("a")], null, false);
        Assert.Equal("0a:00:00:00:00:01", fresh.Assignments[0].Mac.ToString());
        Assert.True(pool.IsHeld(old));
        Assert.Equal(next, pool.Range);
    }

    [Fact]
    public void Concurrent_allocations_never_share_a_mac_and_fill_the_range_exactly()
    {
        const int size = 4096;
        var pool = new MacPool(Range("02:00:00:00:00:00", new MacAddress(0x02_00_00_00_00_00 + size - 1).ToString()));
        var macs = new System.Collections.Concurrent.ConcurrentBag<MacAddress>();
        var full = 0;
        Parallel.For(0, size + 500, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var result = pool.Reserve(MacOwner.Pod("ns", $"pod{i}"), [MacRequest.Allocate("net")], null, false);
            if (result.Succeeded)
            {
                macs.Add(result.Assignments[0].Mac);
            }
            else if (result.Error == "the range is full")
            {
                Interlocked.Increment(ref full);
            }
        });

        Assert.Equal(size, macs.Count);
        Assert.Equal(size, macs.Distinct().Count());
        Assert.Equal(500, full);
    }
}
