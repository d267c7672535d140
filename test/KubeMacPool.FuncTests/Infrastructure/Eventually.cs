using System.Diagnostics;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>Polling for conditions that become true asynchronously (controllers, informers, garbage collection).</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Polls <paramref name="condition"/> until it returns true. Exceptions thrown by the condition count as "not yet"
    /// (the last one is reported). Fails with <paramref name="what"/>, the elapsed time, the attempt count and the last
    /// exception when <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task TrueAsync(
        Func<Task<bool>> condition,
        string what,
        TimeSpan? timeout = null,
        TimeSpan? poll = null,
        CancellationToken cancellationToken = default)
    {
        await ValueAsync(
            condition,
            static ok => ok,
            what,
            timeout,
            poll,
            describe: null,
            cancellationToken);
    }

    /// <summary>
    /// Polls <paramref name="probe"/> until <paramref name="accept"/> likes its value, and returns that value.
    /// The failure message shows the last value (through <paramref name="describe"/> or ToString).
    /// </summary>
    public static async Task<T> ValueAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> accept,
        string what,
        TimeSpan? timeout = null,
        TimeSpan? poll = null,
        Func<T, string>? describe = null,
        CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var interval = poll ?? DefaultPoll;
        var watch = Stopwatch.StartNew();
        var attempts = 0;
        Exception? lastError = null;
        var haveValue = false;
        T last = default!;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            attempts++;
            try
            {
                last = await probe();
                haveValue = true;
                lastError = null;
                if (accept(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lastError = ex;
            }

            if (watch.Elapsed >= limit)
            {
                var detail = lastError is not null
                    ? $"the last attempt threw {lastError.GetType().Name}: {lastError.Message}"
                    : haveValue
                        ? $"the last value was: {(describe is null ? last?.ToString() ?? "null" : describe(last))}"
                        : "no attempt completed";
                throw new TimeoutException(
                    $"Timed out after {watch.Elapsed.TotalSeconds:F1} s ({attempts} attempts, every {interval.TotalMilliseconds:F0} ms) " +
                    $"waiting for: {what}; {detail}",
                    lastError);
            }

            var remaining = limit - watch.Elapsed;
            await Task.Delay(remaining < interval ? remaining : interval, cancellationToken);
        }
    }
}
