using System.Collections.Concurrent;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using static KubeMacPool.Core.Tests.Pool.PoolFixtures;

namespace KubeMacPool.Core.Tests.Pool;

public class MacPoolConcurrencyTests
{
    [Fact]
    public async Task Concurrent_allocations_never_share_a_mac_and_fill_the_range_exactly()
    {
        const int size = 4096;
        const int threads = 8;
        const int attemptsEach = 600;
        var pool = new MacPool(RangeOf(size));
        var macs = new ConcurrentBag<MacAddress>();
        var full = 0;
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(TestContext.Current.CancellationToken);
                for (var i = 0; i < attemptsEach; i++)
                {
                    // Alternate real and dry-run requests: dry runs contend for the lock too, and must store nothing.
                    var owner = MacOwner.Pod("ns", $"pod-{t}-{i}");
                    pool.Reserve(owner, [MacRequest.Allocate("net")], null, dryRun: true);
                    var result = pool.Reserve(owner, [MacRequest.Allocate("net")], null, false);
                    if (result.Succeeded)
                    {
                        macs.Add(result.Assignments[0].Mac);
                    }
                    else if (result.Error == "the range is full")
                    {
                        Interlocked.Increment(ref full);
                    }
                }
            },
            TestContext.Current.CancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
        await Task.WhenAll(workers);

        Assert.Equal(size, macs.Count);
        Assert.Equal(size, macs.Distinct().Count());
        Assert.Equal((threads * attemptsEach) - size, full);
        Assert.Equal(size, pool.HeldCount);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_mac_admit_exactly_one_owner_under_reject()
    {
        var pool = NewPool();
        var winners = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(
            () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    if (pool.Reserve(MacOwner.Pod("ns", $"p{t}-{i}"), [MacRequest.Requested("net", "02:00:00:00:00:42")], null, false).Succeeded)
                    {
                        Interlocked.Increment(ref winners);
                    }
                }
            },
            TestContext.Current.CancellationToken)));

        Assert.Equal(1, winners);
        Assert.Single(pool.EntriesAt(Mac("02:00:00:00:00:42")));
    }
}
