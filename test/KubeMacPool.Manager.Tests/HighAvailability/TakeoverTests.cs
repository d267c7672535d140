using k8s.Models;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.HighAvailability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Manager.Tests.HighAvailability;

public class TakeoverTests
{
    private static readonly MacRange Range = MacRange.Default;

    private static (MacPool Pool, Takeover Takeover, FakeTimeProvider Time) New(int window = 1000)
    {
        var time = new FakeTimeProvider();
        var pool = new MacPool(Range, DuplicatePolicy.Reject, _ => 0);
        var options = Options.Create(new ManagerOptions { HandoverWindow = window, HandoverSettle = TimeSpan.FromSeconds(30) });
        return (pool, new Takeover(pool, options, time, NullLogger<Takeover>.Instance), time);
    }

    private static LeaseView View(ulong cursor, bool released = false) =>
        new("old_1", "https://10.0.0.1:8000", Range.At(cursor), released);

    [Fact]
    public void After_a_dead_leader_allocation_starts_the_window_past_its_last_published_cursor()
    {
        var (pool, takeover, _) = New();
        takeover.Observe(View(500));
        takeover.Apply("old_1");
        Assert.Equal(Range.At(1500), pool.AllocationCursor);
        Assert.True(pool.HandoverGuarded);
    }

    [Fact]
    public void After_a_release_allocation_starts_at_the_final_cursor_and_the_guard_covers_what_was_handed_out_during_the_settle_period()
    {
        var (pool, takeover, time) = New();
        takeover.Observe(View(100));
        time.Advance(TimeSpan.FromSeconds(10));
        takeover.Observe(View(400));
        takeover.Observe(View(700, released: true));
        takeover.Apply("old_1");
        Assert.Equal(Range.At(700), pool.AllocationCursor);

        // Handed out by the old leader between the cursors it published: refused while settling.
        var refused = pool.Reserve(MacOwner.VirtualMachine("ns", "vm"), [MacRequest.Requested("a", Range.At(250).ToString())], DateTimeOffset.UnixEpoch, false);
        Assert.Equal(MacPool.HandoverGuardError, refused.Error);

        time.Advance(TimeSpan.FromSeconds(31));
        SpinWait.SpinUntil(() => !pool.HandoverGuarded, TimeSpan.FromSeconds(5));
        Assert.False(pool.HandoverGuarded);
    }

    [Fact]
    public void Without_a_published_cursor_the_pool_keeps_its_own()
    {
        var (pool, takeover, _) = New();
        var before = pool.AllocationCursor;
        Assert.Contains("no previous allocation cursor", takeover.Apply(null), StringComparison.Ordinal);
        Assert.Equal(before, pool.AllocationCursor);
    }

    [Fact]
    public void The_lease_annotations_read_back_and_garbage_reads_as_absent()
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Annotations = new Dictionary<string, string>
                {
                    [WellKnown.LeaderUrlAnnotation] = "https://10.0.0.1:8000",
                    [WellKnown.AllocationCursorAnnotation] = "02:00:00:00:01:00",
                    [WellKnown.ReleasedAnnotation] = "true",
                },
            },
            Spec = new V1LeaseSpec { HolderIdentity = "" },
        };
        Assert.Equal(new LeaseView(null, "https://10.0.0.1:8000", MacAddress.Parse("02:00:00:00:01:00"), true), PublishingLeaseLock.Read(lease));

        lease.Metadata.Annotations[WellKnown.LeaderUrlAnnotation] = "http://plain";
        lease.Metadata.Annotations[WellKnown.AllocationCursorAnnotation] = "nonsense";
        lease.Spec.HolderIdentity = "x_1";
        Assert.Equal(new LeaseView("x_1", null, null, true), PublishingLeaseLock.Read(lease));
    }
}
