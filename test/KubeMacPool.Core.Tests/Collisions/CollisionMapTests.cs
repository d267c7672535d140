using CsCheck;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Collisions;

namespace KubeMacPool.Core.Tests.Collisions;

/// <summary>The collision bookkeeping (upstream's vmi_collision_test list, spec §9) and migration pairs.</summary>
public class CollisionMapTests
{
    private static readonly MacAddress A = MacAddress.Parse("02:00:00:00:00:01");
    private static readonly MacAddress B = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress C = MacAddress.Parse("02:00:00:00:00:03");

    private static CollisionObject Vmi(string name, params MacAddress[] macs) =>
        new(CollisionObject.VirtualMachineInstanceKey("ns", name), macs.ToHashSet());

    private static Dictionary<MacAddress, int> Gauge(CollisionMap map) => map.Snapshot().ToDictionary(s => s.Mac, s => s.Objects);

    [Fact]
    public void Keys_name_the_kind_namespace_and_object()
    {
        Assert.Equal("vmi/ns1/a", CollisionObject.VirtualMachineInstanceKey("ns1", "a"));
        Assert.Equal("pod/ns2/b", CollisionObject.PodKey("ns2", "b"));
    }

    [Fact]
    public void A_second_holder_makes_a_collision_and_reports_it_once()
    {
        var map = new CollisionMap();
        Assert.Empty(map.Track(Vmi("a", A)));
        Assert.Empty(map.Snapshot());

        var change = Assert.Single(map.Track(Vmi("b", A)));
        Assert.Equal(A, change.Mac);
        Assert.Equal(["vmi/ns/a", "vmi/ns/b"], change.Keys);
        Assert.Equal("MAC 02:00:00:00:00:01: Collision between vmi/ns/a, vmi/ns/b", change.Message);
        Assert.Equal(new Dictionary<MacAddress, int> { [A] = 2 }, Gauge(map));

        // The same state again (a status update that changed nothing relevant) reports nothing.
        Assert.Empty(map.Track(Vmi("b", A)));
    }

    [Fact]
    public void An_existing_collision_grows_to_three_and_the_message_lists_all_sorted()
    {
        var map = new CollisionMap();
        map.Track(Vmi("c", A));
        map.Track(Vmi("a", A));
        var change = Assert.Single(map.Track(Vmi("b", A)));
        Assert.Equal("MAC 02:00:00:00:00:01: Collision between vmi/ns/a, vmi/ns/b, vmi/ns/c", change.Message);
        Assert.Equal(3, Gauge(map)[A]);
    }

    [Fact]
    public void Forgetting_or_emptying_an_object_clears_its_collisions()
    {
        var map = new CollisionMap();
        map.Track(Vmi("a", A));
        map.Track(Vmi("b", A));
        var cleared = Assert.Single(map.Forget("vmi/ns/b"));
        Assert.False(cleared.IsCollision);
        Assert.Empty(map.Snapshot());
        Assert.Empty(map.Forget("vmi/ns/b"));

        map.Track(Vmi("b", A));
        Assert.Single(map.Snapshot());
        Assert.Single(map.Track(Vmi("a")));
        Assert.Empty(map.Snapshot());
        Assert.False(map.IsTracked("vmi/ns/a"));
    }

    [Fact]
    public void An_object_changing_its_macs_moves_between_collisions()
    {
        var map = new CollisionMap();
        map.Track(Vmi("a", A));
        map.Track(Vmi("b", B));
        map.Track(Vmi("x", A));
        Assert.Equal([A], Gauge(map).Keys);

        var changes = map.Track(Vmi("x", B));
        Assert.Equal([A, B], changes.Select(c => c.Mac));
        Assert.Empty(map.CollisionAt(A));
        Assert.Equal(["vmi/ns/b", "vmi/ns/x"], map.CollisionAt(B));
    }

    [Fact]
    public void One_object_with_several_macs_collides_separately_on_each()
    {
        var map = new CollisionMap();
        map.Track(Vmi("one", A, B, C));
        map.Track(Vmi("two", A));
        map.Track(Vmi("three", B));
        Assert.Equal(new Dictionary<MacAddress, int> { [A] = 2, [B] = 2 }, Gauge(map));
        Assert.Equal(["vmi/ns/one", "vmi/ns/two"], map.CollisionAt(A));
        Assert.Equal(["vmi/ns/one", "vmi/ns/three"], map.CollisionAt(B));

        // Selective clearing: the second pair stays.
        map.Forget("vmi/ns/two");
        Assert.Equal(new Dictionary<MacAddress, int> { [B] = 2 }, Gauge(map));
    }

    [Fact]
    public void Adding_alongside_other_macs_leaves_their_collisions_alone()
    {
        var map = new CollisionMap();
        map.Track(Vmi("a", A));
        map.Track(Vmi("b", A));
        var changes = map.Track(Vmi("c", B, C));
        Assert.Empty(changes);
        Assert.Equal(new Dictionary<MacAddress, int> { [A] = 2 }, Gauge(map));
    }

    [Fact]
    public void Pods_and_vmis_collide_across_types_and_namespaces()
    {
        var map = new CollisionMap();
        map.Track(new CollisionObject(CollisionObject.PodKey("ns2", "p"), new HashSet<MacAddress> { A }));
        var change = Assert.Single(map.Track(new CollisionObject(CollisionObject.VirtualMachineInstanceKey("ns1", "v"), new HashSet<MacAddress> { A })));
        Assert.Equal("MAC 02:00:00:00:00:01: Collision between pod/ns2/p, vmi/ns1/v", change.Message);
    }

    [Fact]
    public void Source_and_target_of_one_migration_do_not_collide_but_a_third_object_does()
    {
        var map = new CollisionMap();
        var source = new CollisionObject("vmi/ns1/vm", new HashSet<MacAddress> { A }, SourceMigrationUid: "m1");
        var target = new CollisionObject("vmi/ns2/vm", new HashSet<MacAddress> { A }, SourceMigrationUid: "m1");
        map.Track(source);
        Assert.Empty(map.Track(target));
        Assert.Empty(map.Snapshot());

        var byTarget = new CollisionObject("vmi/ns3/vm", new HashSet<MacAddress> { B }, TargetMigrationUid: "m2");
        map.Track(byTarget);
        Assert.Empty(map.Track(new CollisionObject("vmi/ns4/vm", new HashSet<MacAddress> { B }, TargetMigrationUid: "m2")));

        // Different migrations, or an unrelated object, still collide.
        Assert.Single(map.Track(new CollisionObject("vmi/ns5/other", new HashSet<MacAddress> { A }, SourceMigrationUid: "m9")));
        Assert.Equal(3, Gauge(map)[A]);
        Assert.Single(map.Track(new CollisionObject("vmi/ns6/other", new HashSet<MacAddress> { B })));
        Assert.Equal(3, Gauge(map)[B]);
    }

    [Fact]
    public void Empty_migration_uids_are_not_a_shared_migration()
    {
        var map = new CollisionMap();
        map.Track(new CollisionObject("vmi/a/x", new HashSet<MacAddress> { A }, "", ""));
        Assert.Single(map.Track(new CollisionObject("vmi/b/x", new HashSet<MacAddress> { A }, "", "")));
    }

    /// <summary>
    /// Consistency over many updates: after any sequence of track/forget operations the map equals a model that
    /// recomputes collisions from scratch, and the reported changes replay to the same state.
    /// </summary>
    [Fact]
    public void Matches_a_from_scratch_model_over_random_updates()
    {
        var macs = new[] { A, B, C };
        var genObject = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 7], Gen.Int[0, 2].Select(i => i == 0 ? null : "m" + i))
            .Select((name, bits, migration) => new CollisionObject(
                "vmi/ns/o" + name,
                macs.Where((_, i) => (bits & (1 << i)) != 0).ToHashSet(),
                SourceMigrationUid: migration));
        var genOperation = Gen.Select(Gen.Bool, genObject, (forget, obj) => (Forget: forget, Object: obj));
        genOperation.Array[1, 40].Sample(operations =>
        {
            var map = new CollisionMap();
            var model = new Dictionary<string, CollisionObject>(StringComparer.Ordinal);
            var replayed = new Dictionary<MacAddress, IReadOnlyList<string>>();
            foreach (var (forget, obj) in operations)
            {
                IReadOnlyList<CollisionChange> changes;
                if (forget)
                {
                    model.Remove(obj.Key);
                    changes = map.Forget(obj.Key);
                }
                else
                {
                    if (obj.Macs.Count == 0)
                    {
                        model.Remove(obj.Key);
                    }
                    else
                    {
                        model[obj.Key] = obj;
                    }

                    changes = map.Track(obj);
                }

                foreach (var change in changes)
                {
                    if (change.IsCollision)
                    {
                        replayed[change.Mac] = change.Keys;
                    }
                    else
                    {
                        replayed.Remove(change.Mac);
                    }
                }
            }

            var expected = new Dictionary<MacAddress, IReadOnlyList<string>>();
            foreach (var mac in macs)
            {
                var holders = model.Values.Where(o => o.Macs.Contains(mac)).ToList();
                var collides = holders.Any(x => holders.Any(y => x.Key != y.Key && !SameMigrationGroup(x, y)));
                if (collides)
                {
                    expected[mac] = holders.Select(h => h.Key).Order(StringComparer.Ordinal).ToList();
                }
            }

            Assert.Equal(expected.Keys.Order(), map.Snapshot().Select(s => s.Mac));
            foreach (var (mac, keys) in expected)
            {
                Assert.Equal(keys, map.CollisionAt(mac));
                Assert.Equal(keys, replayed[mac]);
            }

            Assert.Equal(expected.Count, replayed.Count);
        });
    }

    // In the generated data migration UIDs are source UIDs only, so "same group" is "same non-empty source UID".
    private static bool SameMigrationGroup(CollisionObject x, CollisionObject y) =>
        x.SourceMigrationUid is not null && x.SourceMigrationUid == y.SourceMigrationUid;
}
