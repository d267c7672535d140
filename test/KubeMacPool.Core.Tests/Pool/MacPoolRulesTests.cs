using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using static KubeMacPool.Core.Tests.Pool.PoolFixtures;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>Reserved MACs and the unicast rule: what the pool hands out, refuses, and counts.</summary>
public class MacPoolRulesTests
{
    [Theory]
    [InlineData("02:00:00:00:00:00", "02:00:00:00:00:00")]
    [InlineData("02-00-00-00-00-00", "02:00:00:00:00:00")]
    [InlineData("0200.0000.0042", "02:00:00:00:00:40..02:00:00:00:00:4f")]
    public void A_request_for_a_reserved_mac_is_refused_naming_the_entry(string requested, string entry)
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:ff"), reserved: ReservedMacs.Parse("02:00:00:00:00:00, 02:00:00:00:00:40..02:00:00:00:00:4f"));
        var result = pool.Reserve(Vm1, [MacRequest.Requested("blue", requested)], T0, false);
        Assert.False(result.Succeeded);
        Assert.Equal(
            $"refused reserved MAC address {MacAddress.Parse(requested)} for interface blue: reserved by RESERVED_MACS entry \"{entry}\"",
            result.Error);
        Assert.Equal(0, pool.HeldCount);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "a multicast (group) address")]
    [InlineData("ff:ff:ff:ff:ff:ff", "the broadcast address")]
    [InlineData("00-00-00-00-00-00", "the all-zero address")]
    public void A_request_for_a_group_or_all_zero_mac_is_refused_and_nothing_is_held(string requested, string kind)
    {
        var pool = NewPool();
        var result = pool.Reserve(Vm1, [MacRequest.Allocate("a"), MacRequest.Requested("b", requested)], T0, false);
        Assert.Equal(
            $"invalid MAC address for interface b: {MacAddress.Parse(requested)} is {kind}; only unicast MAC addresses can be requested",
            result.Error);
        Assert.Equal(0, pool.HeldCount);
    }

    [Fact]
    public void Allocation_skips_the_default_reserved_mac_when_the_cursor_sits_on_it()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:01"), randomOffset: _ => 0, reserved: ReservedMacs.KubeVirtDefault);
        Assert.Equal("02:00:00:00:00:01", pool.Reserve(Vm1, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac.ToString());
        Assert.Equal("the range is full", pool.Reserve(Vm2, [MacRequest.Allocate("a")], T0, false).Error);
    }

    [Fact]
    public void A_live_edit_applies_to_the_next_request_and_survives_a_range_change()
    {
        var pool = NewPool();
        Assert.True(pool.Reserve(Vm1, [MacRequest.Requested("a", "02:00:00:00:00:07")], T0, false).Succeeded);
        pool.Reserved = ReservedMacs.Parse("02:00:00:00:00:08, 02:00:00:00:01:00..02:00:00:00:01:fe");
        Assert.False(pool.Reserve(Vm2, [MacRequest.Requested("a", "02:00:00:00:00:08")], T0, false).Succeeded);

        pool.ReplaceRange(Range("02:00:00:00:01:00", "02:00:00:00:01:ff"));
        Assert.Equal("02:00:00:00:01:ff", pool.Reserve(Vm2, [MacRequest.Allocate("a")], T0, false).Assignments[0].Mac.ToString());
    }

    [Fact]
    public void Objects_found_holding_a_reserved_or_group_mac_keep_it_and_are_listed()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:ff"), reserved: ReservedMacs.KubeVirtDefault);
        pool.Register(Vm1, "a", Mac("02:00:00:00:00:00"));
        pool.Register(Vm2, "b", Mac("01:00:5e:00:00:01"));
        pool.Register(Pod, "c", Mac("02:00:00:00:00:05"));

        // An update that keeps the MAC touches it, which the rules do not look at.
        Assert.True(pool.Reserve(Vm1, [MacRequest.Touch("a", Mac("02:00:00:00:00:00"))], T0, false).Succeeded);
        Assert.Equal(
            ["ns1/vm1 02:00:00:00:00:00", "ns2/vm2 01:00:5e:00:00:01"],
            pool.EntriesBreakingRules().Select(e => $"{e.Owner.Namespace}/{e.Owner.Name} {e.Mac}").Order());
    }

    [Fact]
    public void Usage_counts_a_held_reserved_mac_once()
    {
        var pool = new MacPool(Range("02:00:00:00:00:00", "02:00:00:00:00:ff"), reserved: ReservedMacs.Parse("02:00:00:00:00:00..02:00:00:00:00:0f, 03:00:00:00:00:00"));
        pool.Register(Vm1, "a", Mac("02:00:00:00:00:00"));
        pool.Register(Vm2, "a", Mac("02:00:00:00:00:80"));
        pool.Register(Pod, "a", Mac("0a:00:00:00:00:80"));
        Assert.Equal((256UL, 2UL, 16UL, 256UL - 16 - 1), pool.Usage());
    }
}
