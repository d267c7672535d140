using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Collisions;

namespace KubeMacPool.Core.Tests.Collisions;

public sealed class CollisionMapTests
{
    private static readonly MacAddress A = MacAddress.Parse("02:00:00:00:00:01");
    private static readonly MacAddress B = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress C = MacAddress.Parse("02:00:00:00:00:03");

    private static Dictionary<MacAddress, IReadOnlyCollection<string>> With(params (MacAddress Mac, string[] Others)[] entries) =>
        entries.ToDictionary(e => e.Mac, e => (IReadOnlyCollection<string>)e.Others);

    [Fact]
    public void A_collision_counts_every_object_self_included()
    {
        var map = new CollisionMap();
        map.Update("vmi/ns/b", With((A, ["vmi/ns/a"])));
        Assert.Equal(2, map.Counts()[A]);
        Assert.Equal(["vmi/ns/a", "vmi/ns/b"], map.Holders(A));
    }

    [Fact]
    public void An_update_replaces_the_list_of_a_mac()
    {
        var map = new CollisionMap();
        map.Update("vmi/ns/a", With((A, ["vmi/ns/b"])));
        map.Update("vmi/ns/c", With((A, ["vmi/ns/a", "vmi/ns/b"])));
        Assert.Equal(3, map.Counts()[A]);
        Assert.Equal(["vmi/ns/a", "vmi/ns/b", "vmi/ns/c"], map.Holders(A));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Null_or_empty_colliders_remove_the_object_and_a_pair_dissolves(bool useNull)
    {
        var map = new CollisionMap();
        map.Update("vmi/ns/a", With((A, ["vmi/ns/b"])));
        map.Update("vmi/ns/b", useNull ? null : With());
        Assert.Empty(map.Counts());
        Assert.Empty(map.Holders(A));
    }

    [Fact]
    public void Three_objects_drop_to_two_when_one_leaves()
    {
        var map = new CollisionMap();
        map.Update("pod/ns/c", With((A, ["pod/ns/a", "pod/ns/b"])));
        map.Remove("pod/ns/b");
        Assert.Equal(["pod/ns/a", "pod/ns/c"], map.Holders(A));
    }

    [Fact]
    public void Several_macs_per_object_are_cleared_selectively()
    {
        // Spec §8.1 B17: VMI1 {macA, macB}, VMI2 {macA}, VMI3 {macB}; deleting VMI2 clears macA only.
        var map = new CollisionMap();
        map.Update("vmi/ns/vmi1", With((A, ["vmi/ns/vmi2"]), (B, ["vmi/ns/vmi3"])));
        map.Remove("vmi/ns/vmi2");
        Assert.False(map.Counts().ContainsKey(A));
        Assert.Equal(2, map.Counts()[B]);
    }

    [Fact]
    public void An_object_changing_macs_leaves_its_old_collision()
    {
        var map = new CollisionMap();
        map.Update("vmi/ns/a", With((A, ["vmi/ns/b"])));
        map.Update("vmi/ns/a", With((C, ["vmi/ns/x"])));
        Assert.Equal([C], map.Counts().Keys);
        Assert.Equal(["vmi/ns/a", "vmi/ns/x"], map.Holders(C));
    }

    [Fact]
    public void Colliders_listing_only_the_object_itself_are_no_collision()
    {
        var map = new CollisionMap();
        map.Update("vmi/ns/a", With((A, ["vmi/ns/a"])));
        Assert.Empty(map.Counts());
    }

    [Fact]
    public void The_event_message_is_upstreams_with_keys_sorted()
    {
        Assert.Equal(
            "MAC 02:00:00:00:00:01: Collision between pod/ns/z, vmi/ns/a, vmi/ns/b",
            CollisionMap.EventMessage(MacAddress.Parse("02-00-00-00-00-01"), ["vmi/ns/b", "pod/ns/z", "vmi/ns/a"]));
    }

    [Fact]
    public void After_many_random_updates_the_map_matches_a_recomputation_from_the_last_views()
    {
        // Every object reports the truth of one world (which object holds which MACs); whatever the order of the
        // reports, the map must end up as the collisions of that world.
        var random = new Random(7);
        var objects = Enumerable.Range(0, 12).Select(i => $"vmi/ns/o{i}").ToArray();
        var macs = new[] { A, B, C };
        for (var round = 0; round < 200; round++)
        {
            var world = objects.ToDictionary(o => o, _ => macs.Where(_ => random.Next(4) == 0).ToHashSet());
            var map = new CollisionMap();
            foreach (var o in objects.OrderBy(_ => random.Next()))
            {
                var view = world[o].ToDictionary(
                    m => m,
                    m => (IReadOnlyCollection<string>)objects.Where(p => p != o && world[p].Contains(m)).ToList());
                map.Update(o, view);
            }

            foreach (var mac in macs)
            {
                var holders = objects.Where(o => world[o].Contains(mac)).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(holders.Count > 1 ? holders : [], map.Holders(mac));
            }
        }
    }
}
