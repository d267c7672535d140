using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Collisions;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// What the collision controllers cost per watch event and what a scrape reads: a map tracking 20,000 running
/// objects (two MACs each; 200 MACs shared by a pair), updated one object at a time.
/// </summary>
[MemoryDiagnoser]
public class CollisionBenchmarks
{
    private const int Objects = 20_000;
    private const int Batch = 1_000;

    private CollisionObject[] _world = null!;
    private CollisionObject[] _moved = null!;
    private CollisionMap _map = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _world = Enumerable.Range(0, Objects).Select(i => Running(i, random)).ToArray();
        _moved = _world.Take(Batch).Select(o => o with { Macs = new HashSet<MacAddress> { Mac(random) } }).ToArray();
        _map = new CollisionMap();
        foreach (var item in _world)
        {
            _map.Track(item);
        }
    }

    [Benchmark(OperationsPerInvoke = Objects, Description = "track a new running object (map filling to 20,000)")]
    public int TrackAll()
    {
        var map = new CollisionMap();
        var changes = 0;
        foreach (var item in _world)
        {
            changes += map.Track(item).Count;
        }

        return changes;
    }

    [Benchmark(OperationsPerInvoke = Batch * 2, Description = "re-track one object with other MACs, then back (steady state)")]
    public int UpdateOne()
    {
        var changes = 0;
        for (var i = 0; i < Batch; i++)
        {
            changes += _map.Track(_moved[i]).Count;
            changes += _map.Track(_world[i]).Count;
        }

        return changes;
    }

    [Benchmark(OperationsPerInvoke = Batch * 2, Description = "forget one object and track it again")]
    public int ForgetTrack()
    {
        var changes = 0;
        for (var i = 0; i < Batch; i++)
        {
            changes += _map.Forget(_world[i].Key).Count;
            changes += _map.Track(_world[i]).Count;
        }

        return changes;
    }

    [Benchmark(Description = "snapshot of every collision (what one scrape reads)")]
    public int Snapshot() => _map.Snapshot().Count;

    private static CollisionObject Running(int i, Random random)
    {
        // Objects 100k and 100k+1 share their second MAC: 200 collisions among 20,000 objects.
        var second = i / 2 % 50 == 0 ? new MacAddress(0x0200_0000_0000UL + (ulong)(i / 2)) : Mac(random);
        var macs = new HashSet<MacAddress> { Mac(random), second };
        return new CollisionObject(CollisionObject.VirtualMachineInstanceKey("bench", $"vmi-{i}"), macs);
    }

    private static MacAddress Mac(Random random) => new(0x0A00_0000_0000UL + (ulong)random.NextInt64(1L << 40));
}
