using System.Diagnostics;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// `--reserved`: allocation with no reserved entry and with 1,000, alternated round by round and reported as the
/// minimum of each. On a machine shared with other builds, BenchmarkDotNet's two parameter cases run minutes apart
/// under different load; alternating and keeping the minimum compares the two at the same moments.
/// </summary>
public static class ReservedInterleaved
{
    private const int Rounds = 300;
    private const int DefaultRangeBatch = 100_000;

    public static void Run()
    {
        var small = MacRange.TryParse("02:00:00:00:00:00", "02:00:00:00:ff:ff", out var r, out _) ? r : throw new InvalidOperationException();
        var lists = new[] { (Small: ReservedMacs.Empty, Default: ReservedMacs.Empty), (Small: ReservedMacsBenchmarks.Spread(small, ReservedMacsBenchmarks.Many), Default: ReservedMacsBenchmarks.Spread(MacRange.Default, ReservedMacsBenchmarks.Many)) };
        var fill = new[] { double.MaxValue, double.MaxValue };
        var allocations = new int[2];
        var sparse = new[] { double.MaxValue, double.MaxValue };
        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < 2; k++)
            {
                var allocator = new RangeAllocator(small, _ => 777) { Reserved = lists[k].Small };
                var stopwatch = Stopwatch.StartNew();
                var count = 0;
                while (allocator.TryAllocate(out _))
                {
                    count++;
                }

                fill[k] = Math.Min(fill[k], stopwatch.Elapsed.TotalNanoseconds / count);
                allocations[k] = count;

                var wide = new RangeAllocator(MacRange.Default, _ => 777) { Reserved = lists[k].Default };
                stopwatch.Restart();
                for (var i = 0; i < DefaultRangeBatch; i++)
                {
                    wide.TryAllocate(out _);
                }

                sparse[k] = Math.Min(sparse[k], stopwatch.Elapsed.TotalNanoseconds / DefaultRangeBatch);
            }
        }

        Console.WriteLine($"minimum of {Rounds} alternated rounds, ns per allocation: none | 1,000 entries | ratio");
        Console.WriteLine($"fill a 2^16 range ({allocations[0]:N0} | {allocations[1]:N0} allocations): {fill[0]:F2} | {fill[1]:F2} | {fill[1] / fill[0]:F3}");
        Console.WriteLine($"100,000 from the default 2^40 range: {sparse[0]:F2} | {sparse[1]:F2} | {sparse[1] / sparse[0]:F3}");
    }
}
