using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using static KubeMacPool.Core.Tests.Pool.PoolFixtures;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>A new leader's pool: adopting what another replica admitted, and starting beyond the previous leader's cursor.</summary>
public class MacPoolHandoverTests
{
    [Fact]
    public void A_successor_never_hands_out_what_the_previous_leader_allocated_before_its_last_published_cursor_plus_the_window()
    {
        var old = NewPool();
        var successor = NewPool();
        var published = old.AllocationCursor;

        // The old leader hands out 10 MACs after publishing; none of their objects reached the successor.
        var unseen = Enumerable.Range(0, 10).Select(i => old.Reserve(MacOwner.VirtualMachine("ns", "old" + i), [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac).ToHashSet();

        Assert.Equal(16UL, successor.BeginHandover(published, published, skipFree: 16));
        var fresh = Enumerable.Range(0, 50).Select(i => successor.Reserve(MacOwner.VirtualMachine("ns", "new" + i), [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac);
        Assert.DoesNotContain(fresh, unseen.Contains);
    }

    [Fact]
    public void Without_the_window_the_successor_would_collide_which_is_what_the_window_is_for()
    {
        var old = NewPool();
        var successor = NewPool();
        var first = old.Reserve(Vm1, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;
        var second = successor.Reserve(Vm2, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_requested_mac_in_the_guard_span_is_refused_until_the_settle_period_ends_unless_its_holder_is_known()
    {
        var pool = NewPool();
        var from = pool.AllocationCursor;
        pool.BeginHandover(from, from, skipFree: 8);
        var inSpan = new MacAddress(from.Value + 3);

        var refused = pool.Reserve(Vm1, [MacRequest.Requested("a", inSpan.ToString())], T0, false);
        Assert.Equal(MacPool.HandoverGuardError, refused.Error);
        Assert.StartsWith(MacPool.RequestedMacTakenError, refused.Error, StringComparison.Ordinal);

        // Outside the span: judged as ever.
        Assert.True(pool.Reserve(Vm1, [MacRequest.Requested("b", "02:00:00:00:00:80")], T0, false).Succeeded);

        // Once the persisted object is seen, its MAC is held and the span no longer matters (duplicate policy decides).
        pool.Adopt(Vm2, [("a", inSpan)]);
        Assert.Equal(MacPool.RequestedMacTakenError, pool.Reserve(MacOwner.VirtualMachine("ns", "x"), [MacRequest.Requested("a", inSpan.ToString())], T0, false).Error);

        pool.EndHandover();
        Assert.False(pool.HandoverGuarded);
        Assert.True(pool.Reserve(MacOwner.VirtualMachine("ns", "y"), [MacRequest.Requested("a", new MacAddress(from.Value + 4).ToString())], T0, false).Succeeded);
    }

    [Fact]
    public void Adopt_registers_unknown_macs_committed_reports_duplicates_and_keeps_pending_entries_pending()
    {
        var pool = NewPool();
        var pending = pool.Reserve(Vm1, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac;
        var other = Mac("02:00:00:00:00:40");

        Assert.Empty(pool.Adopt(Vm1, [("a", pending), ("b", other)]));
        var entries = pool.EntriesOf(Vm1);
        Assert.Equal(T0, entries.Single(e => e.InterfaceKey == "a").PendingSince);
        Assert.Null(entries.Single(e => e.InterfaceKey == "b").PendingSince);

        Assert.Equal([other], pool.Adopt(Vm2, [("a", other)]));
        Assert.Equal(2, pool.EntriesAt(other).Count);
    }

    [Fact]
    public void The_skip_never_laps_a_nearly_full_range()
    {
        var pool = new MacPool(RangeOf(8), DuplicatePolicy.Reject, _ => 0);
        Assert.Equal(4UL, pool.BeginHandover(pool.AllocationCursor, pool.AllocationCursor, skipFree: 1000));
        Assert.True(pool.Reserve(Vm1, [MacRequest.Allocate("a")], T0, false).Succeeded);
    }
}
