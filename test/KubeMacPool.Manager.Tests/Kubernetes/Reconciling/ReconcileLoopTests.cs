using System.Threading.Channels;
using KubeMacPool.Manager.Kubernetes.Reconciling;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMacPool.Manager.Tests.Kubernetes.Reconciling;

/// <summary>
/// The loop over a real queue and a scripted reconciler. The reconciler reports each call with the key's failure
/// count at that moment, which shows whether the loop called Forget before handing the key out again.
/// </summary>
public sealed class ReconcileLoopTests : IAsyncDisposable
{
    private readonly SignallingTimeProvider _time = new();
    private readonly WorkQueue<string> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(string Key, int Failures)> _calls = Channel.CreateUnbounded<(string, int)>();
    private Task? _run;

    public ReconcileLoopTests() => _queue = new WorkQueue<string>(_time, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _queue.Dispose();
        _stop.Dispose();
    }

    private void Start(Func<int, Task<ReconcileResult>> script, int workers = 1) =>
        _run = new ReconcileLoop<string>("test", _queue, new ScriptedReconciler(_queue, _calls, script), NullLogger.Instance, workers).RunAsync(_stop.Token);

    private async Task<(string Key, int Failures)> NextCallAsync() =>
        await _calls.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_throwing_reconciler_is_retried_with_growing_backoff_and_forgotten_once_it_succeeds()
    {
        Start(call => call <= 2 ? throw new InvalidOperationException("write failed") : Task.FromResult(ReconcileResult.Done));
        _queue.Add("k");

        Assert.Equal(("k", 0), await NextCallAsync());
        var first = await _time.NextArmedAsync();
        Assert.InRange(first.TotalMilliseconds, 50, 100);
        _time.Advance(first);

        Assert.Equal(("k", 1), await NextCallAsync());
        var second = await _time.NextArmedAsync();
        Assert.InRange(second.TotalMilliseconds, 100, 200);
        _time.Advance(second);

        Assert.Equal(("k", 2), await NextCallAsync());
        _queue.Add("k");
        Assert.Equal(("k", 0), await NextCallAsync()); // the success called Forget
    }

    [Fact]
    public async Task A_failed_result_backs_off_like_an_exception()
    {
        Start(call => Task.FromResult(call == 1 ? ReconcileResult.Failed : ReconcileResult.Done));
        _queue.Add("k");

        await NextCallAsync();
        var delay = await _time.NextArmedAsync();
        Assert.InRange(delay.TotalMilliseconds, 50, 100);
        _time.Advance(delay);
        Assert.Equal(("k", 1), await NextCallAsync());
    }

    [Fact]
    public async Task A_requeue_after_looks_again_after_exactly_that_delay_and_is_no_failure()
    {
        Start(call => Task.FromResult(call == 1 ? ReconcileResult.After(TimeSpan.FromSeconds(30)) : ReconcileResult.Done));
        _queue.Add("k");

        await NextCallAsync();
        Assert.Equal(TimeSpan.FromSeconds(30), await _time.NextArmedAsync());
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(("k", 0), await NextCallAsync());
    }

    [Fact]
    public async Task Two_workers_never_reconcile_one_key_at_once_and_a_change_meanwhile_runs_once_after()
    {
        var release = new TaskCompletionSource<ReconcileResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Start(call => call == 1 ? release.Task : Task.FromResult(ReconcileResult.Done), workers: 2);
        _queue.Add("k");
        await NextCallAsync();

        _queue.Add("k");
        _queue.Add("k");
        _queue.Add("other");
        Assert.Equal("other", (await NextCallAsync()).Key); // the second worker is free, yet does not take "k"
        Assert.Equal(0, _queue.Count);

        release.SetResult(ReconcileResult.Done);
        Assert.Equal("k", (await NextCallAsync()).Key);
        Assert.False(_calls.Reader.TryRead(out _));
    }

    private sealed class ScriptedReconciler(
        WorkQueue<string> queue, Channel<(string, int)> calls, Func<int, Task<ReconcileResult>> script) : IReconciler<string>
    {
        private int _count;

        public async ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            calls.Writer.TryWrite((key, queue.Failures(key)));
            return await script(Interlocked.Increment(ref _count));
        }
    }
}
