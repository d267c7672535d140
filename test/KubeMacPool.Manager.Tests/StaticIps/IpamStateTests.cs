using KubeMacPool.Manager.StaticIps;
using static KubeMacPool.Manager.Tests.StaticIps.DhcpModels;

namespace KubeMacPool.Manager.Tests.StaticIps;

/// <summary>The reservation decisions: replay, allocation, pinning, exhaustion, duplicates, release.</summary>
public class IpamStateTests
{
    private static string? Ip(ReservationDecision d) => d.Address is { } a ? KubeMacPool.Core.Ipv4.Ipv4.Format(a) : null;

    [Fact]
    public void Replays_recorded_addresses_and_allocates_new_ones_around_them()
    {
        var state = new IpamState();
        var known = NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01", pool: "blue", address: "10.0.0.2");
        state.Rebuild([NewPool("blue", "ns/blue", "10.0.0.0/29", "10.0.0.1")], [known]);
        Assert.Equal("10.0.0.2", Ip(state.Decide(known)));
        var fresh = state.Decide(NewReservation("b.net1", "ns/blue", "02:00:00:00:00:02"));
        Assert.True(fresh.Allocated);
        Assert.Equal("10.0.0.3", Ip(fresh));
        Assert.Equal(2, state.Snapshot("blue")!.Used);
    }

    [Fact]
    public void Of_two_reservations_recording_one_address_the_older_keeps_it_and_the_other_moves()
    {
        var state = new IpamState();
        var older = NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01", pool: "blue", address: "10.0.0.2", age: 10);
        var newer = NewReservation("b.net1", "ns/blue", "02:00:00:00:00:02", pool: "blue", address: "10.0.0.2", age: 1);
        state.Rebuild([NewPool("blue", "ns/blue", "10.0.0.0/29", "10.0.0.1")], [newer, older]);
        Assert.Equal("10.0.0.2", Ip(state.Decide(older)));
        Assert.NotEqual("10.0.0.2", Ip(state.Decide(newer)));
    }

    [Fact]
    public void An_exhausted_pool_says_so_and_serves_the_next_reservation_once_an_address_is_freed()
    {
        var state = new IpamState();
        state.Rebuild([NewPool("tiny", "ns/blue", "10.0.0.0/29", "10.0.0.1", "10.0.0.2", "10.0.0.3")], []);
        var a = NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01");
        Assert.True(state.Decide(a).Allocated);
        Assert.True(state.Decide(NewReservation("b.net1", "ns/blue", "02:00:00:00:00:02")).Allocated);
        var waiting = NewReservation("c.net1", "ns/blue", "02:00:00:00:00:03");
        var exhausted = state.Decide(waiting);
        Assert.False(exhausted.Allocated);
        Assert.Equal("PoolExhausted", exhausted.Reason);
        Assert.Null(exhausted.Address);
        Assert.Contains("pools: tiny", exhausted.Message, StringComparison.Ordinal);

        Assert.Equal("tiny", state.Release("ns/a.net1"));
        Assert.True(state.Decide(waiting).Allocated);
    }

    [Fact]
    public void A_second_pool_on_the_network_takes_over_when_the_first_is_full()
    {
        var state = new IpamState();
        state.Rebuild(
        [
            NewPool("a-first", "ns/blue", "10.0.0.0/29", "10.0.0.1", "10.0.0.2", "10.0.0.2"),
            NewPool("b-second", "ns/blue", "10.0.1.0/29", "10.0.1.1"),
        ], []);
        Assert.Equal("a-first", state.Decide(NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01")).Pool);
        Assert.Equal("b-second", state.Decide(NewReservation("b.net1", "ns/blue", "02:00:00:00:00:02")).Pool);
    }

    [Fact]
    public void A_pinned_address_is_claimed_and_a_taken_one_keeps_the_current_address_with_the_reason()
    {
        var state = new IpamState();
        state.Rebuild([NewPool("blue", "ns/blue", "10.0.0.0/24", "10.0.0.1")], []);
        Assert.Equal("10.0.0.50", Ip(state.Decide(NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01", pinned: "10.0.0.50"))));
        var b = NewReservation("b.net1", "ns/blue", "02:00:00:00:00:02");
        var current = Ip(state.Decide(b));
        var conflict = state.Decide(NewReservation("b.net1", "ns/blue", "02:00:00:00:00:02", pinned: "10.0.0.50"));
        Assert.False(conflict.Allocated);
        Assert.Equal("PinnedIPUnavailable", conflict.Reason);
        Assert.Equal(current, Ip(conflict));
        Assert.Contains("already reserved for ns/a.net1", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("interface net1: pinned address 10.0.0.50 is already reserved for ns/a.net1", state.CheckPinned("ns/blue", "net1", "10.0.0.50", "ns/b.net1"));
        Assert.Null(state.CheckPinned("ns/blue", "net1", "10.0.0.50", "ns/a.net1"));
        Assert.Contains("is excluded in pool blue", state.CheckPinned("ns/blue", "net1", "10.0.0.1", "ns/x"), StringComparison.Ordinal);
        Assert.Contains("is outside the allocation range of network ns/blue (blue: 10.0.0.1-10.0.0.254)", state.CheckPinned("ns/blue", "net1", "10.0.1.5", "ns/x"), StringComparison.Ordinal);
    }

    [Fact]
    public void One_mac_gets_one_address_per_network_and_upper_case_cannot_sneak_a_second_one()
    {
        var state = new IpamState();
        state.Rebuild([NewPool("blue", "ns/blue", "10.0.0.0/24", "10.0.0.1"), NewPool("green", "ns/green", "10.0.0.0/24", "10.0.0.1")], []);
        Assert.True(state.Decide(NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01")).Allocated);
        var duplicate = state.Decide(NewReservation("b.net1", "ns/blue", "02:00:00:00:00:01"));
        Assert.Equal("DuplicateMAC", duplicate.Reason);
        Assert.True(state.Decide(NewReservation("b.net1", "ns/green", "02:00:00:00:00:01")).Allocated);
    }

    [Fact]
    public void A_mac_edit_keeps_the_address_and_frees_the_old_mac()
    {
        var state = new IpamState();
        state.Rebuild([NewPool("blue", "ns/blue", "10.0.0.0/24", "10.0.0.1")], []);
        var before = state.Decide(NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01"));
        var after = state.Decide(NewReservation("a.net1", "ns/blue", "02:00:00:00:00:02"));
        Assert.Equal(Ip(before), Ip(after));
        Assert.Equal("02:00:00:00:00:02", state.Snapshot("blue")!.Allocated[Ip(after)!].Mac);
        Assert.True(state.Decide(NewReservation("b.net1", "ns/blue", "02:00:00:00:00:01")).Allocated);
    }

    [Fact]
    public void An_invalid_or_overlapping_pool_serves_nothing_and_says_why()
    {
        var state = new IpamState();
        state.Rebuild([NewPool("a", "ns/blue", "10.0.0.0/24", "10.0.0.1"), NewPool("b", "ns/blue", "10.0.0.0/25", "10.0.0.2"), NewPool("c", "ns/red", "10.0.0.0/24", "10.9.0.1")], []);
        Assert.True(state.Snapshot("a")!.Validation.IsValid);
        Assert.Contains("overlaps 10.0.0.0/24 of pool a", state.Snapshot("b")!.Validation.ErrorMessage, StringComparison.Ordinal);
        Assert.False(state.IsPooled("ns/red"));
        Assert.Equal("NoPool", state.Decide(NewReservation("x.net1", "ns/red", "02:00:00:00:00:01")).Reason);
    }

    [Fact]
    public void Counts_follow_allocations_and_releases()
    {
        var state = new IpamState();
        state.Rebuild([NewPool("blue", "ns/blue", "10.0.0.0/24", "10.0.0.1")], []);
        Assert.Equal(253, state.Snapshot("blue")!.Available);
        state.Decide(NewReservation("a.net1", "ns/blue", "02:00:00:00:00:01"));
        Assert.Equal((1, 252), (state.Snapshot("blue")!.Used, state.Snapshot("blue")!.Available));
        state.Release("ns/a.net1");
        Assert.Equal((0, 253), (state.Snapshot("blue")!.Used, state.Snapshot("blue")!.Available));
        Assert.Null(state.Release("ns/a.net1"));
    }
}
