using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>
/// Retained managed memory, measured with full collections around the work; alone in its collection so no other
/// test allocates meanwhile. The benchmark's <c>--memory</c> mode measures the full 1,000,000 MACs.
/// </summary>
[Collection(nameof(MemoryMeasurement))]
public class MacPoolMemoryTests
{
    [Fact]
    public void A_pool_of_single_mac_pods_costs_at_most_64_bytes_per_mac()
    {
        const int count = 100_000;
        var owners = Enumerable.Range(0, count).Select(i => MacOwner.Pod("ns" + (i % 50), "pod-" + i)).ToArray();
        MacRequest[] request = [MacRequest.Allocate("net1")];

        var bytes = Retained(() =>
        {
            var pool = new MacPool(MacRange.Default);
            foreach (var owner in owners)
            {
                pool.Reserve(owner, request, null, false);
            }

            pool.Compact();
            return pool;
        });

        Assert.InRange(bytes / (double)count, 1, 64);
        GC.KeepAlive(owners);
    }

    [Fact]
    public void An_empty_default_range_costs_a_few_kibibytes_at_most()
    {
        // Far below the noise of a full collection, so counted as what building it allocates (it makes no garbage).
        var before = GC.GetAllocatedBytesForCurrentThread();
        var pool = new MacPool(MacRange.Default);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(allocated, 1, 4096);
        GC.KeepAlive(pool);
    }

    private static long Retained(Func<object> build)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var built = build();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(built);
        return after - before;
    }
}
