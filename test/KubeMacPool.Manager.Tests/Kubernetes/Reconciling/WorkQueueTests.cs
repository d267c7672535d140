using KubeMacPool.Manager.Kubernetes.Reconciling;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Manager.Tests.Kubernetes.Reconciling;

public sealed class WorkQueueTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly WorkQueue<string> _queue;

    public WorkQueueTests() => _queue = new WorkQueue<string>(_time, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    public void Dispose() => _queue.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<string> TakeAsync() => await _queue.TakeAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

    [Fact]
    public async Task A_key_added_twice_while_waiting_is_taken_once()
    {
        _queue.Add("a");
        _queue.Add("a");
        Assert.Equal(1, _queue.Count);

        Assert.Equal("a", await TakeAsync());
        Assert.False(_queue.TakeAsync(Token).AsTask().IsCompleted);
    }

    [Fact]
    public async Task Keys_are_handed_out_in_the_order_first_added()
    {
        _queue.Add("a");
        _queue.Add("b");
        _queue.Add("a");
        Assert.Equal(["a", "b"], [await TakeAsync(), await TakeAsync()]);
    }

    [Fact]
    public async Task A_key_added_while_processing_is_handed_out_again_only_after_done_and_once()
    {
        _queue.Add("a");
        Assert.Equal("a", await TakeAsync());

        _queue.Add("a");
        _queue.Add("a");
        var next = _queue.TakeAsync(Token).AsTask();
        Assert.Equal(0, _queue.Count);
        Assert.False(next.IsCompleted);

        _queue.Done("a");
        Assert.Equal("a", await next.WaitAsync(TimeSpan.FromSeconds(10), Token));
        Assert.Equal(0, _queue.Count);
        _queue.Done("a");
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public async Task A_drained_burst_loses_no_key_added_while_processing_across_the_trim()
    {
        // A start queues every listed object at once; the take that drains a queue past 1,024 keys trims its tables.
        const int Burst = 5_000;
        for (var i = 0; i < Burst; i++)
        {
            _queue.Add("key-" + i);
        }

        for (var i = 0; i < Burst - 2; i++)
        {
            Assert.Equal("key-" + i, await TakeAsync());
            _queue.Done("key-" + i);
        }

        var (busy, last) = ("key-" + (Burst - 2), "key-" + (Burst - 1));
        Assert.Equal(busy, await TakeAsync());
        _queue.Add(busy); // added again while processing: remembered, not queued
        Assert.Equal(last, await TakeAsync()); // drains the queue: the trim
        _queue.Add("fresh");
        Assert.Equal(1, _queue.Count);

        _queue.Done(last);
        Assert.Equal("fresh", await TakeAsync());
        _queue.Done("fresh");
        _queue.Done(busy);
        Assert.Equal(busy, await TakeAsync());
        Assert.Equal(0, _queue.Count);
        Assert.False(_queue.TakeAsync(Token).AsTask().IsCompleted);
    }

    [Fact]
    public async Task Done_without_a_new_add_does_not_queue_the_key_again()
    {
        _queue.Add("a");
        _queue.Done(await TakeAsync());
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void AddAfter_adds_the_key_when_the_delay_has_passed()
    {
        _queue.AddAfter("a", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.Equal(0, _queue.Count);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public async Task A_sooner_AddAfter_replaces_a_later_one_and_the_later_one_never_fires()
    {
        _queue.AddAfter("a", TimeSpan.FromSeconds(10));
        _queue.AddAfter("a", TimeSpan.FromSeconds(5));

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, _queue.Count);
        _queue.Done(await TakeAsync());

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void A_later_AddAfter_is_ignored_while_a_sooner_one_is_pending()
    {
        _queue.AddAfter("a", TimeSpan.FromSeconds(5));
        _queue.AddAfter("a", TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, _queue.Count);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public void Backoff_doubles_per_failure_of_a_key_within_half_to_full_ceiling_and_stops_at_the_cap()
    {
        // base 100 ms, cap 1 s: ceilings 100, 200, 400, 800, 1000, 1000.
        foreach (var ceiling in new[] { 100, 200, 400, 800, 1000, 1000 })
        {
            var delay = _queue.AddRateLimited("a");
            Assert.InRange(delay.TotalMilliseconds, ceiling / 2.0, ceiling);
        }

        Assert.Equal(6, _queue.Failures("a"));
    }

    [Fact]
    public void Backoff_is_per_key_and_forget_starts_it_over()
    {
        _queue.AddRateLimited("a");
        _queue.AddRateLimited("a");
        _queue.AddRateLimited("a");

        Assert.InRange(_queue.AddRateLimited("b").TotalMilliseconds, 50, 100);
        _queue.Forget("a");
        Assert.Equal(0, _queue.Failures("a"));
        Assert.InRange(_queue.AddRateLimited("a").TotalMilliseconds, 50, 100);
    }

    [Fact]
    public void A_rate_limited_key_is_added_once_its_backoff_has_passed()
    {
        var delay = _queue.AddRateLimited("a");
        Assert.Equal(0, _queue.Count);
        _time.Advance(delay);
        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public void A_disposed_queue_ignores_adds_and_pending_delays()
    {
        _queue.AddAfter("a", TimeSpan.FromSeconds(1));
        _queue.Dispose();
        _queue.Add("b");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _queue.Count);
    }
}
