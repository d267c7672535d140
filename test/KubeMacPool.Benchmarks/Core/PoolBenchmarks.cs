using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>What admission requests cost the pool (already holding 100,000 MACs): a pod's reserve and release, and a VM's full transaction.</summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class PoolBenchmarks
{
    private const int Batch = 10_000;
    private static readonly DateTimeOffset Timestamp = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly MacRequest[] OneNetwork = [MacRequest.Allocate("net1")];
    private static readonly MacRequest[] TwoNics = [MacRequest.Allocate("default"), MacRequest.Allocate("br1")];

    private MacPool _pool = null!;
    private MacOwner[] _pods = null!;
    private MacOwner[] _vms = null!;

    [Params(0, ReservedMacsBenchmarks.Many)]
    public int ReservedEntries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pool = new MacPool(MacRange.Default, reserved: ReservedMacsBenchmarks.Spread(MacRange.Default, ReservedEntries));
        for (var i = 0; i < 100_000; i++)
        {
            _pool.Reserve(MacOwner.Pod("bench", $"existing-{i}"), OneNetwork, null, false);
        }

        _pods = Enumerable.Range(0, Batch).Select(i => MacOwner.Pod("bench", $"pod-{i}")).ToArray();
        _vms = Enumerable.Range(0, Batch).Select(i => MacOwner.VirtualMachine("bench", $"vm-{i}")).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "reserve 1 MAC + release (pod)")]
    public int ReserveRelease()
    {
        var released = 0;
        foreach (var owner in _pods)
        {
            _pool.Reserve(owner, OneNetwork, null, false);
            released += _pool.Release(owner);
        }

        return released;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "reserve 2 MACs pending + commit + release (VM)")]
    public int ReserveCommitRelease()
    {
        var released = 0;
        foreach (var owner in _vms)
        {
            var result = _pool.Reserve(owner, TwoNics, Timestamp, false);
            _pool.Commit(owner, Timestamp, result.Assignments.Select(a => (a.InterfaceKey, a.Mac)));
            released += _pool.Release(owner);
        }

        return released;
    }
}
