using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.HighAvailability;

/// <summary>
/// What a new leader does to its pool before it allocates. Its pool already has every persisted object (it followed
/// the same watches, and adopts what the old leader admitted as it is persisted); what it cannot know are MACs the old
/// leader answered with whose objects it has not seen yet. Those were handed out next-fit behind the old leader's
/// cursor, which the old leader published on the Lease at every renew (0.5 s by default) and once more, exactly, when
/// it released. So the new leader starts allocating at that cursor (released) or a window beyond it (the old leader
/// died and may have moved on since its last renew), and for a settle period refuses requested MACs between the
/// cursor it saw a settle period ago and where it starts (see docs/architecture.md, "High availability").
/// </summary>
internal sealed partial class Takeover(MacPool pool, IOptions<ManagerOptions> options, TimeProvider time, ILogger<Takeover> logger)
{
    private readonly Lock _lock = new();
    private readonly Queue<(long At, MacAddress Cursor)> _history = new();
    private LeaseView? _last;

    /// <summary>Records what a standby read on the Lease (the other leader's cursor) for a later takeover.</summary>
    public void Observe(LeaseView view)
    {
        if (view.Cursor is not { } cursor)
        {
            return;
        }

        lock (_lock)
        {
            _last = view;
            var now = time.GetTimestamp();
            if (_history.Count == 0 || _history.Last().Cursor != cursor)
            {
                _history.Enqueue((now, cursor));
            }

            // Keep the newest sample older than the settle period: the guard starts there.
            while (_history.Count > 1 && time.GetElapsedTime(_history.ElementAt(1).At) > options.Value.HandoverSettle)
            {
                _history.Dequeue();
            }
        }
    }

    /// <summary>Moves the pool past what the previous leader may have handed out; returns a line for the takeover Event.</summary>
    public string Apply(string? previousHolder)
    {
        LeaseView? last;
        MacAddress? oldest;
        lock (_lock)
        {
            last = _last;
            oldest = _history.Count > 0 ? _history.Peek().Cursor : null;
            _history.Clear();
            _last = null;
        }

        if (last?.Cursor is not { } cursor)
        {
            LogNoCursor(logger, previousHolder ?? "none");
            return "no previous allocation cursor on the Lease";
        }

        var window = last.Released ? 0UL : (ulong)options.Value.HandoverWindow;
        var skipped = pool.BeginHandover(oldest ?? cursor, cursor, window);
        _ = EndAfterSettleAsync();
        LogApplied(logger, cursor, last.Released, skipped, pool.AllocationCursor);
        return last.Released
            ? $"the previous leader released the Lease; allocating from its final cursor {cursor}"
            : $"the previous leader's Lease expired; allocating {skipped} free addresses past its last published cursor {cursor}";
    }

    private async Task EndAfterSettleAsync()
    {
        await Task.Delay(options.Value.HandoverSettle, time);
        pool.EndHandover();
        LogSettled(logger);
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Takeover: previous cursor {Cursor} (released: {Released}); skipped {Skipped} free addresses, allocating from {Start}")]
    private static partial void LogApplied(ILogger logger, MacAddress cursor, bool released, ulong skipped, MacAddress start);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Takeover: no allocation cursor published by the previous holder {Holder}; allocating from this pool's own cursor")]
    private static partial void LogNoCursor(ILogger logger, string holder);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Information, Message = "Takeover settled: requested MACs are judged by the pool alone again")]
    private static partial void LogSettled(ILogger logger);
}
