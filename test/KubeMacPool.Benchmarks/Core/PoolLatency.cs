using System.Diagnostics;
using System.Globalization;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// The slowest single pool calls of a heal storm (issue 17): pods reserved pending, one after another; a lag behind,
/// two in three are committed (persisted) and one in three released (rejected, as heal settles it); every 4,096
/// reserves heal asks for stale owners. Every call is timed on its own: an admission waits for the slowest one
/// ahead of it under the pool's lock, so the tail matters, not the mean. Each figure is also given without the GC
/// pauses that fell inside the call (the table's own work). Uses only the public API, so older builds can run it.
/// Run with <c>DOTNET_gcConcurrent=0</c> to match the manager's GC settings.
/// </summary>
public static class PoolLatency
{
    private const int StaleEvery = 4_096;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly MacRequest[] OneNetwork = [MacRequest.Allocate("net1")];

    public static void Run(int reserves, int lag)
    {
        // Tier-1 code before measuring: a smaller storm on a throwaway pool.
        Storm(Math.Min(reserves, 200_000), Math.Min(lag, 50_000), report: false);
        Storm(reserves, lag, report: true);
    }

    private static void Storm(int reserves, int lag, bool report)
    {
        // Names made beforehand, as they belong to the cluster's objects (a per-call name made young keys the
        // collector copies, in both builds alike); then earlier garbage out of the way.
        var owners = new MacOwner[reserves];
        for (var i = 0; i < reserves; i++)
        {
            owners[i] = MacOwner.Pod("ns" + (i % 100), "pod-" + i);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var macs = new MacAddress[reserves];
        var reserve = new Timings(reserves);
        var settle = new Timings(reserves);
        var stale = new Timings((reserves / StaleEvery) + 1);
        var pool = new MacPool(MacRange.Default);
        var (gen2Before, pauseBefore) = (GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var total = Stopwatch.StartNew();
        for (var i = 0; i < reserves; i++)
        {
            var start = reserve.Start();
            var result = pool.Reserve(owners[i], OneNetwork, Stamp(i), false);
            reserve.Stop(start);
            macs[i] = result.Assignments[0].Mac;

            if (i >= lag)
            {
                var behind = i - lag;
                start = settle.Start();
                if (behind % 3 == 2)
                {
                    pool.Release(owners[behind]);
                }
                else
                {
                    pool.Commit(owners[behind], Stamp(behind), [("net1", macs[behind])]);
                }

                settle.Stop(start);
            }

            if (i % StaleEvery == 0)
            {
                start = stale.Start();
                pool.StaleOwners(Stamp(Math.Max(0, i - lag)), 1024);
                stale.Stop(start);
            }
        }

        total.Stop();
        if (!report)
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{reserves:N0} pod reserves, settled {lag:N0} behind (1 in 3 released): {total.Elapsed.TotalSeconds:F2} s, " +
            $"held {pool.HeldCount:N0}, pending {pool.PendingCount:N0}, gen2 GCs {GC.CollectionCount(2) - gen2Before}, " +
            $"GC pauses {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F0} ms"));
        reserve.Report("Reserve (pending)");
        settle.Report("Commit/Release");
        stale.Report("StaleOwners(1024)");
        GC.KeepAlive(owners);
    }

    // 100,000 stamps a second, so the pending set spans lag / 100,000 seconds.
    private static DateTimeOffset Stamp(int i) => T0.AddTicks(i * 100L);

    private sealed class Timings(int capacity)
    {
        private readonly long[] _wall = new long[capacity];
        private readonly long[] _work = new long[capacity];
        private long _pauseAtStart;
        private int _count;

        public long Start()
        {
            _pauseAtStart = GC.GetTotalPauseDuration().Ticks;
            return Stopwatch.GetTimestamp();
        }

        public void Stop(long start)
        {
            var wall = Stopwatch.GetElapsedTime(start).Ticks;
            var pause = GC.GetTotalPauseDuration().Ticks - _pauseAtStart;
            _wall[_count] = wall;
            _work[_count++] = Math.Max(0, wall - pause);
            if (wall > 20 * TimeSpan.TicksPerMillisecond)
            {
                var gc = GC.GetGCMemoryInfo();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  slow call #{_count - 1}: {wall / 1e4:F1} ms, GC pauses in it {pause / 1e4:F1} ms (last GC: gen{gc.Generation}, compacted {gc.Compacted}, concurrent {gc.Concurrent}, heap {gc.HeapSizeBytes >> 20} MiB, pause {gc.PauseDurations[0].TotalMilliseconds:F1} ms)"));
            }
        }

        public void Report(string what)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-18} {_count,10:N0} calls  wall: {Figures(_wall)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"",-18} {"",10}        without GC: {Figures(_work)}"));
        }

        private string Figures(long[] ticks)
        {
            var sorted = ticks[.._count];
            Array.Sort(sorted);
            double Ms(long t) => t / (double)TimeSpan.TicksPerMillisecond;
            var over = sorted.Count(t => t > 50 * TimeSpan.TicksPerMillisecond);
            return string.Create(CultureInfo.InvariantCulture,
                $"p50 {Ms(sorted[_count / 2]) * 1000:F1} µs, p99.99 {Ms(sorted[(int)(_count * 0.9999)]):F3} ms, max {Ms(sorted[^1]):F3} ms, > 50 ms: {over}");
        }
    }
}
