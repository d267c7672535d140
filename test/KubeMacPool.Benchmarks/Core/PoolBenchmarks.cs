using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>What one admission request costs the pool: reserve a VM's MACs (pending), commit, release.</summary>
[MemoryDiagnoser]
public class PoolBenchmarks
{
    private const int Batch = 10_000;
    private static readonly DateTimeOffset Timestamp = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly MacRequest[] TwoNics = [MacRequest.Allocate("default"), MacRequest.Allocate("br1")];

    private MacPool _pool = null!;
    private MacOwner[] _owners = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new MacPool(MacRange.Default);
        for (var i = 0; i < 100_000; i++)
        {
            _pool.Reserve(MacOwner.Pod("bench", $"existing-{i}"), [MacRequest.Allocate("net1")], null, false);
        }

        _owners = Enumerable.Range(0, Batch).Select(i => MacOwner.VirtualMachine("bench", $"vm-{i}")).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "reserve 2 MACs + commit + release (pool of 100k)")]
    public int ReserveCommitRelease()
    {
        var released = 0;
        foreach (var owner in _owners)
        {
            var result = _pool.Reserve(owner, TwoNics, Timestamp, false);
            _pool.Commit(owner, Timestamp, result.Assignments.Select(a => (a.InterfaceKey, a.Mac)));
            released += _pool.Release(owner);
        }

        return released;
    }
}
