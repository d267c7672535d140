using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Manager.Tests.Kubernetes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that says when a timer is armed, and for how long. Code under test arms its timer
/// on another thread (a backoff after a failure); advancing the clock before the timer exists would skip it, so the
/// test waits for <see cref="NextArmedAsync"/> first instead of sleeping.
/// </summary>
internal sealed class SignallingTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    /// <summary>The due time of the next timer armed with a finite due time (fails the test after 10 s rather than hang).</summary>
    public async Task<TimeSpan> NextArmedAsync() =>
        await _armed.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public bool AnyArmed => _armed.Reader.Count > 0;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ArmedTimer(base.CreateTimer(callback, state, dueTime, period), _armed);
        ArmedTimer.Signal(_armed, dueTime);
        return timer;
    }

    private sealed class ArmedTimer(ITimer inner, Channel<TimeSpan> armed) : ITimer
    {
        public static void Signal(Channel<TimeSpan> armed, TimeSpan dueTime)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                armed.Writer.TryWrite(dueTime);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            // Signalled after the inner timer is armed, so an Advance that follows the signal always fires it.
            var changed = inner.Change(dueTime, period);
            Signal(armed, dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
