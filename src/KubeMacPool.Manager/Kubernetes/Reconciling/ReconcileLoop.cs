using KubeMacPool.Manager.Hosting;

namespace KubeMacPool.Manager.Kubernetes.Reconciling;

/// <summary>
/// Runs a reconciler over a work queue with a few workers. The queue guarantees one worker per key at a time, so a
/// reconciler needs no locking for its own key; a failure backs off per key and never stops the loop.
/// With <paramref name="leaderOnly"/>, keys are taken only while this replica leads: a standby's queue keeps
/// collecting (deduplicated) keys from the shared informers, and a takeover works them off without a rebuild.
/// </summary>
internal sealed partial class ReconcileLoop<TKey>(
    string name, WorkQueue<TKey> queue, IReconciler<TKey> reconciler, ILogger logger, int workers = 1, Leadership? leaderOnly = null)
    where TKey : notnull
{
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), cancellationToken)));

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TKey key;
            try
            {
                if (leaderOnly is not null)
                {
                    await leaderOnly.WhenLeaderAsync(cancellationToken);
                }

                key = await queue.TakeAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var result = await reconciler.ReconcileAsync(key, cancellationToken);
                if (result.Retry)
                {
                    var delay = queue.AddRateLimited(key);
                    LogRetrying(logger, name, key, delay.TotalMilliseconds);
                }
                else
                {
                    queue.Forget(key);
                    if (result.RequeueAfter is { } after)
                    {
                        queue.AddAfter(key, after);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var delay = queue.AddRateLimited(key);
                LogFailed(logger, name, key, delay.TotalMilliseconds, e);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Warning, Message = "{Controller}: reconcile of {Key} failed; retrying in {DelayMs} ms")]
    private static partial void LogFailed(ILogger logger, string controller, TKey key, double delayMs, Exception exception);

    [LoggerMessage(EventId = 151, Level = LogLevel.Debug, Message = "{Controller}: {Key} not done yet; retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string controller, TKey key, double delayMs);
}
