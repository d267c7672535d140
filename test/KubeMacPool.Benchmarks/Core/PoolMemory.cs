using System.Diagnostics;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// Managed memory of the pool holding 1,000,000 MACs, measured with full GCs around the fill
/// (BenchmarkDotNet measures allocation rates, not retained size), after the compaction the service does once its
/// startup rebuild is done. Owner names are built before measuring:
/// they belong to the cluster's objects, not to the pool.
/// </summary>
public static class PoolMemory
{
    public static void Run()
    {
        Console.WriteLine($"empty default range (2^40), allocator: {Allocated(() => new RangeAllocator(MacRange.Default))} bytes");
        Console.WriteLine($"empty default range (2^40), whole pool: {Allocated(() => new MacPool(MacRange.Default))} bytes");
        Console.WriteLine($"1,000 RESERVED_MACS entries, parsed list: {Measure(() => ReservedMacsBenchmarks.Spread(MacRange.Default, ReservedMacsBenchmarks.Many))} bytes");
        Report("1,000,000 MACs held by 500,000 VMs with 2 NICs", 500_000, 2, i => MacOwner.VirtualMachine("ns" + (i % 100), "vm-" + i));
        Report("1,000,000 MACs held by 500,000 VMs with 2 NICs, 1,000 reserved entries", 500_000, 2, i => MacOwner.VirtualMachine("ns" + (i % 100), "vm-" + i),
            ReservedMacsBenchmarks.Spread(MacRange.Default, ReservedMacsBenchmarks.Many));
        Report("1,000,000 MACs held by 1,000,000 pods with 1 network", 1_000_000, 1, i => MacOwner.Pod("ns" + (i % 100), "pod-" + i));
    }

    private static void Report(string what, int owners, int nics, Func<int, MacOwner> owner, ReservedMacs? reserved = null)
    {
        var names = Enumerable.Range(0, owners).Select(owner).ToArray();
        var requests = Enumerable.Range(0, nics).Select(i => MacRequest.Allocate("net" + i)).ToArray();
        MacPool? pool = null;
        var stopwatch = Stopwatch.StartNew();
        var bytes = Measure(() =>
        {
            pool = new MacPool(MacRange.Default, reserved: reserved);
            foreach (var name in names)
            {
                pool.Reserve(name, requests, null, false);
            }

            pool.Compact();

            return pool;
        });
        Console.WriteLine($"{what}: {bytes / (double)(owners * nics):F1} bytes per MAC ({bytes / 1024 / 1024} MiB, held {pool!.HeldCount}, filled in {stopwatch.Elapsed.TotalSeconds:F1} s)");
        GC.KeepAlive(names);
    }

    // An empty structure is far below the noise of a full collection; it makes no garbage, so what it allocates is what it keeps.
    private static long Allocated(Func<object> build)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var built = build();
        var after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(built);
        return after - before;
    }

    private static long Measure(Func<object> build)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var built = build();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(built);
        return after - before;
    }
}
