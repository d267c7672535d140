using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// List, then watch from the list's resourceVersion (no gap), relisting when the server says the version
/// expired (410). The whole list is read before it is handed over, so a slow handler never holds a continue
/// token open until it expires. <paramref name="transform"/> (optional) trims each object as it arrives. Transient errors back off with jitter; the loop ends only on cancellation.
/// </summary>
internal sealed partial class ResourceWatcher<T>(
    IResourceClient<T> client,
    IResourceEventHandler<T> handler,
    ILogger logger,
    TimeProvider time,
    Func<T, T>? transform = null)
    where T : IKubernetesObject<V1ObjectMeta>
{
    // The server ends each watch after WatchTimeoutSeconds; a connection silent for a minute longer is dropped.
    private static readonly TimeSpan WatchIdleLimit = TimeSpan.FromSeconds(WatchDefaults.WatchTimeoutSeconds + 60);

    // An empty watch the server ends sooner than this is treated as a failure (backoff), as client-go treats a
    // "very short watch": a balancer that closes every watch at once must not turn the loop into a hot one.
    private static readonly TimeSpan ShortestQuietWatch = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The version of the last event handed over (a field, not a local, so a watch that breaks with an exception
    // resumes after what it already delivered instead of replaying it); null means relist.
    private string? _resourceVersion;
    private bool _streamedSinceFailure;

    /// <summary>Completes once the first full list has been handled.</summary>
    public Task Synced => _synced.Task;

    public string Resource => client.Resource;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
        var failures = 0;
        _resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_resourceVersion is null)
                {
                    LogListing(logger, client.Resource);
                    var (items, listVersion) = await ListAllAsync(initial: !_synced.Task.IsCompleted, cancellationToken);
                    await handler.OnListedAsync(items, cancellationToken);
                    LogListed(logger, client.Resource, items.Count, listVersion);
                    _resourceVersion = listVersion;
                    _synced.TrySetResult();
                }

                _resourceVersion = await WatchAsync(cancellationToken);
                backoff.Reset();
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsExpired(e))
            {
                LogExpired(logger, client.Resource);
                _resourceVersion = null;
            }
            catch (Exception e)
            {
                if (_streamedSinceFailure)
                {
                    // The stream worked before it broke: a fresh failure, not one more of a series.
                    backoff.Reset();
                    failures = 0;
                }

                _streamedSinceFailure = false;
                var delay = backoff.Next();
                LogFailure(e, ++failures, delay);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Every page of a list. The first list (<paramref name="initial"/>) may come from the API server's watch cache;
    /// the watch that follows delivers whatever it did not yet hold. A relist (after 410) asks for the latest.
    /// </summary>
    private async Task<(List<T> Items, string? ResourceVersion)> ListAllAsync(bool initial, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        string? resourceVersion;
        do
        {
            var page = await client.ListAsync(continueToken, WatchDefaults.PageSize, initial, cancellationToken);
            // Trimmed page by page, so a large first list never holds every full object at once.
            items.AddRange(transform is null ? page.Items : page.Items.Select(transform));
            continueToken = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
            resourceVersion = page.ResourceVersion;
        }
        while (continueToken is not null);

        return (items, resourceVersion);
    }

    /// <summary>Watches until the server closes the stream; returns the version to resume from, or null to relist.</summary>
    private async Task<string?> WatchAsync(CancellationToken cancellationToken)
    {
        if (_resourceVersion is not { } resourceVersion)
        {
            return null;
        }

        var expired = false;
        var events = 0;
        var started = time.GetTimestamp();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(WatchIdleLimit);
        try
        {
            var stream = client.WatchAsync(resourceVersion, e =>
            {
                if (IsExpired(e))
                {
                    expired = true;
                }
                else
                {
                    LogWatchError(logger, client.Resource, e);
                }
            }, idle.Token);

            await foreach (var (type, item) in stream)
            {
                events++;
                idle.CancelAfter(WatchIdleLimit);
                _streamedSinceFailure = true;
                var version = item.Metadata?.ResourceVersion;
                if (type is not WatchEventType.Bookmark and not WatchEventType.Error)
                {
                    await handler.OnEventAsync(type, transform is null ? item : transform(item), cancellationToken);
                }

                resourceVersion = string.IsNullOrEmpty(version) ? resourceVersion : version;
                _resourceVersion = resourceVersion;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogWatchIdle(logger, client.Resource);
        }
        catch (Exception e) when (events == 0 && IsEmptyStreamEnd(e) && time.GetElapsedTime(started) >= ShortestQuietWatch)
        {
            // KubernetesClient reads a watch's first line before it returns the stream, so a watch the server ends
            // at its timeout with nothing to say fails with EndOfStreamException instead of ending: on a quiet kind
            // that is every watch, and it is the normal end, not a connection cut (no backoff, no warning).
            LogQuietWatchEnded(logger, client.Resource);
        }

        return expired ? null : resourceVersion;
    }

    /// <summary>
    /// A connection closed under the stream (an API server restart, a balancer's idle timeout, an HTTP/2 GOAWAY) is
    /// routine: one line without a stack trace, at Information the first time. Only a failure that repeats is a
    /// warning, and only an unexpected one carries its stack trace.
    /// </summary>
    private void LogFailure(Exception e, int failures, TimeSpan delay)
    {
        if (!IsConnectionCut(e))
        {
            LogWatchFailed(logger, client.Resource, delay.TotalMilliseconds, e);
            return;
        }

        var reason = e.GetBaseException().Message;
        if (failures == 1)
        {
            LogConnectionCut(logger, client.Resource, reason, delay.TotalMilliseconds, _resourceVersion ?? "none (a new list)");
        }
        else
        {
            LogConnectionFailing(logger, client.Resource, failures, reason, delay.TotalMilliseconds);
        }
    }

    private static bool IsConnectionCut(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException or System.Net.Sockets.SocketException or HttpRequestException { StatusCode: null })
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsEmptyStreamEnd(Exception e) => e.GetBaseException() is EndOfStreamException;

    private static bool IsExpired(Exception e) => e switch
    {
        KubernetesException k => k.Status?.Code == 410,
        HttpOperationException h => (int?)h.Response?.StatusCode == 410,
        _ => false,
    };

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, int count, string? resourceVersion);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Watch of {Resource} expired (410); relisting")]
    private static partial void LogExpired(ILogger logger, string resource);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "List/watch of {Resource} failed; retrying in {DelayMs} ms")]
    private static partial void LogWatchFailed(ILogger logger, string resource, double delayMs, Exception exception);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Connection for {Resource} closed ({Reason}); reconnecting in {DelayMs} ms from resourceVersion {ResourceVersion}")]
    private static partial void LogConnectionCut(ILogger logger, string resource, string reason, double delayMs, string resourceVersion);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "List/watch of {Resource} failed {Failures} times in a row ({Reason}); retrying in {DelayMs} ms")]
    private static partial void LogConnectionFailing(ILogger logger, string resource, int failures, string reason, double delayMs);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Watch of {Resource} reported an error")]
    private static partial void LogWatchError(ILogger logger, string resource, Exception exception);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "Watch of {Resource} was idle too long; reconnecting")]
    private static partial void LogWatchIdle(ILogger logger, string resource);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "Watch of {Resource} ended with no events; watching on")]
    private static partial void LogQuietWatchEnded(ILogger logger, string resource);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Listing {Resource}")]
    private static partial void LogListing(ILogger logger, string resource);
}
