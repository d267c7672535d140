using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using Microsoft.Extensions.Logging;
using static KubeMacPool.Manager.Tests.Kubernetes.Informers.ConfigMaps;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>
/// The informer and its watcher against a scripted API server. Each test waits for the watcher's next watch call,
/// which it makes only after handing every earlier list and event to the subscribers.
/// </summary>
public sealed class InformerTests : IAsyncDisposable
{
    private readonly FakeResourceClient<V1ConfigMap> _client = new();
    private readonly SignallingTimeProvider _time = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _log = [];
    private Informer<V1ConfigMap>? _informer;
    private Task? _run;

    private readonly RecordingLoggerFactory _loggers = new();

    private Informer<V1ConfigMap> Informer => _informer ??= new(_client, Trim, false, _loggers, _time);

    private Func<V1ConfigMap, V1ConfigMap>? Trim { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _informer?.Dispose();
        _stop.Dispose();
    }

    private async Task<RecordingHandler> SubscribeAsync(string name, bool withCache = false)
    {
        var handler = new RecordingHandler(name, _log, withCache ? Informer.Cache : null);
        await Informer.SubscribeAsync(handler, TestContext.Current.CancellationToken);
        return handler;
    }

    private void Start() => _run = Informer.RunAsync(_stop.Token);

    private string[] CachedKeys() => [.. Informer.Cache.List().Select(RecordingHandler.Describe).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task An_expired_watch_relists_and_subscribers_get_deletions_for_what_vanished_before_the_new_list()
    {
        _client.EnqueuePages(Page("10", null, Map("a", "5"), Map("b", "6")));
        _client.EnqueuePages(Page("20", null, Map("b", "11"), Map("c", "19")));
        await SubscribeAsync("s1");
        Start();

        var first = await _client.NextWatchAsync();
        Assert.Equal("10", first.ResourceVersion);
        first.Send(WatchEventType.Modified, Map("b", "11")).Expire();

        var second = await _client.NextWatchAsync();
        Assert.Equal("20", second.ResourceVersion);
        // The first list may come from the watch cache; the relist must not go back in time.
        Assert.Equal([(null, 500, true), (null, 500, false)], _client.ListCalls);
        Assert.Equal(
            ["s1 listed [ns/a@5, ns/b@6]", "s1 Modified ns/b@11", "s1 Deleted ns/a@5", "s1 listed [ns/b@11, ns/c@19]"],
            _log);
        Assert.Equal(["ns/b@11", "ns/c@19"], CachedKeys());
    }

    [Fact]
    public async Task A_410_thrown_by_the_stream_relists_too()
    {
        _client.EnqueuePages(Page("10", null, Map("a", "5")));
        _client.EnqueuePages(Page("30", null));
        await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).ThrowExpired();

        Assert.Equal("30", (await _client.NextWatchAsync()).ResourceVersion);
        Assert.Equal(["s1 listed [ns/a@5]", "s1 Deleted ns/a@5", "s1 listed []"], _log);
        Assert.Empty(CachedKeys());
        Assert.False(_time.AnyArmed); // an expiry is not a failure: no backoff
    }

    [Fact]
    public async Task A_watch_the_server_ends_normally_resumes_from_the_last_event_seen_without_relisting()
    {
        _client.EnqueuePages(Page("10", null, Map("a", "5")));
        await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).Send(WatchEventType.Added, Map("c", "12")).Send(WatchEventType.Modified, Map("a", "15")).End();

        var resumed = await _client.NextWatchAsync();
        Assert.Equal("15", resumed.ResourceVersion);
        Assert.Single(_client.ListCalls);
        Assert.Equal(["s1 listed [ns/a@5]", "s1 Added ns/c@12", "s1 Modified ns/a@15"], _log);
    }

    [Fact]
    public async Task A_bookmark_moves_the_resume_version_but_reaches_neither_the_cache_nor_subscribers()
    {
        _client.EnqueuePages(Page("10", null, Map("a", "5")));
        await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).Send(WatchEventType.Bookmark, Map("bookmark", "17")).End();

        Assert.Equal("17", (await _client.NextWatchAsync()).ResourceVersion);
        Assert.Equal(["s1 listed [ns/a@5]"], _log);
        Assert.Equal(["ns/a@5"], CachedKeys());
    }

    [Fact]
    public async Task A_broken_watch_backs_off_then_resumes_from_the_last_version_without_relisting()
    {
        _client.EnqueuePages(Page("10", null));
        await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).Send(WatchEventType.Added, Map("b", "12")).Break();

        var delay = await _time.NextArmedAsync();
        Assert.InRange(delay, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        _time.Advance(delay);
        Assert.Equal("12", (await _client.NextWatchAsync()).ResourceVersion);
        Assert.Single(_client.ListCalls);
    }

    [Fact]
    public async Task A_connection_cut_under_the_watch_is_one_line_and_only_a_repeated_failure_a_warning()
    {
        _client.EnqueuePages(Page("10", null));
        await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).Send(WatchEventType.Added, Map("b", "12")).Break(new HttpRequestException("copying content", new EndOfStreamException("past the end")));
        _time.Advance(await _time.NextArmedAsync());
        (await _client.NextWatchAsync()).Break(new HttpRequestException("connection refused", new System.Net.Sockets.SocketException(111)));
        _time.Advance(await _time.NextArmedAsync());
        (await _client.NextWatchAsync()).Break(new InvalidOperationException("something unexpected"));
        await _time.NextArmedAsync();

        var failures = _loggers.Lines.Where(l => l.EventId is 102 or 105 or 106).ToList();
        Assert.Equal(3, failures.Count);
        Assert.Equal((LogLevel.Information, 105, false), (failures[0].Level, failures[0].EventId, failures[0].WithException));
        Assert.Contains("past the end", failures[0].Message, StringComparison.Ordinal);
        Assert.Contains("resourceVersion 12", failures[0].Message, StringComparison.Ordinal);
        Assert.Equal((LogLevel.Warning, 106, false), (failures[1].Level, failures[1].EventId, failures[1].WithException));
        Assert.Contains("2 times in a row", failures[1].Message, StringComparison.Ordinal);
        Assert.Equal((LogLevel.Warning, 102, true), (failures[2].Level, failures[2].EventId, failures[2].WithException));
        Assert.Single(_client.ListCalls);
    }

    [Fact]
    public async Task A_watch_that_streamed_before_it_broke_starts_a_fresh_series()
    {
        _client.EnqueuePages(Page("10", null));
        await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).Break(new HttpRequestException("reset", new IOException("reset")));
        _time.Advance(await _time.NextArmedAsync());
        (await _client.NextWatchAsync()).Send(WatchEventType.Added, Map("b", "12")).Break(new HttpRequestException("reset", new IOException("reset")));
        var delay = await _time.NextArmedAsync();

        Assert.Equal([105, 105], _loggers.Lines.Where(l => l.EventId is 102 or 105 or 106).Select(l => l.EventId));
        Assert.InRange(delay, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_watch_the_server_ends_at_its_timeout_with_no_events_resumes_at_once_without_a_warning()
    {
        _client.EnqueuePages(Page("10", null));
        await SubscribeAsync("s1");
        Start();

        for (var quiet = 0; quiet < 3; quiet++)
        {
            var watch = await _client.NextWatchAsync();
            Assert.Equal("10", watch.ResourceVersion);
            _time.Advance(TimeSpan.FromSeconds(WatchDefaults.WatchTimeoutSeconds));
            watch.Break(EmptyWatchEnd());
        }

        Assert.Equal("10", (await _client.NextWatchAsync()).ResourceVersion);
        Assert.False(_time.AnyArmed);
        Assert.DoesNotContain(_loggers.Lines, l => l.EventId is 102 or 105 or 106);
        Assert.Single(_client.ListCalls);
    }

    [Fact]
    public async Task An_empty_watch_ended_at_once_is_a_failure_that_backs_off()
    {
        _client.EnqueuePages(Page("10", null));
        await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).Break(EmptyWatchEnd());
        var delay = await _time.NextArmedAsync();

        Assert.InRange(delay, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.Equal([105], _loggers.Lines.Where(l => l.EventId is 102 or 105 or 106).Select(l => l.EventId));
    }

    // What KubernetesClient throws when a watch ends before its first line: it reads that line before it hands the
    // stream over.
    private static HttpRequestException EmptyWatchEnd() =>
        new("Error while copying content to a stream.", new EndOfStreamException("Attempted to read past the end of the stream."));

    [Fact]
    public async Task A_failed_list_backs_off_and_the_informer_is_synced_only_after_a_list_succeeds()
    {
        _client.EnqueueListFailure(new InvalidOperationException("apiserver down"));
        _client.EnqueuePages(Page("3", null, Map("a", "1")));
        Start();

        var delay = await _time.NextArmedAsync();
        Assert.False(Informer.Synced.IsCompleted);
        _time.Advance(delay);

        Assert.Equal("3", (await _client.NextWatchAsync()).ResourceVersion);
        Assert.True(Informer.Synced.IsCompletedSuccessfully);
        Assert.Equal([(null, 500, true), (null, 500, true)], _client.ListCalls); // still the first list: any version will do
    }

    [Fact]
    public async Task A_paged_list_follows_continue_tokens_to_the_end_and_is_handed_over_whole()
    {
        _client.EnqueuePages(
            Page("5", "c1", Map("a", "1")),
            Page("6", "c2", Map("b", "2")),
            Page("7", "", Map("c", "3"))); // an empty token ends the list as null does
        await SubscribeAsync("s1");
        Start();

        var watch = await _client.NextWatchAsync();
        Assert.Equal([(null, 500, true), ("c1", 500, true), ("c2", 500, true)], _client.ListCalls);
        Assert.Equal(["s1 listed [ns/a@1, ns/b@2, ns/c@3]"], _log);
        Assert.Equal("7", watch.ResourceVersion); // the version of the last page, where the list ends
    }

    [Fact]
    public async Task Every_subscriber_gets_every_list_and_event_in_order_after_the_cache_has_it()
    {
        _client.EnqueuePages(Page("10", null, Map("a", "5")));
        await SubscribeAsync("s1", withCache: true);
        await SubscribeAsync("s2", withCache: true);
        Start();

        (await _client.NextWatchAsync())
            .Send(WatchEventType.Added, Map("b", "11"))
            .Send(WatchEventType.Deleted, Map("a", "12"))
            .End();
        await _client.NextWatchAsync();

        Assert.Equal(
            [
                "s1 listed [ns/a@5]", "s2 listed [ns/a@5]",
                "s1 Added ns/b@11 cache:ns/b@11", "s2 Added ns/b@11 cache:ns/b@11",
                "s1 Deleted ns/a@12 cache:none", "s2 Deleted ns/a@12 cache:none",
            ],
            _log);
    }

    [Fact]
    public async Task A_subscriber_joining_after_the_first_list_gets_the_cache_at_once_then_the_events()
    {
        _client.EnqueuePages(Page("10", null, Map("a", "5")));
        Start();
        (await _client.NextWatchAsync()).Send(WatchEventType.Added, Map("b", "11")).End();
        var second = await _client.NextWatchAsync();
        Assert.True(Informer.Synced.IsCompletedSuccessfully);

        await SubscribeAsync("late");
        Assert.Equal(["late listed [ns/a@5, ns/b@11]"], _log);

        second.Send(WatchEventType.Modified, Map("a", "12")).End();
        await _client.NextWatchAsync();
        Assert.Equal(["late listed [ns/a@5, ns/b@11]", "late Modified ns/a@12"], _log);
    }

    [Fact]
    public async Task The_transform_applies_to_listed_and_watched_objects_before_cache_and_subscribers_see_them()
    {
        Trim = m => new V1ConfigMap { Metadata = new V1ObjectMeta { Name = m.Metadata.Name, NamespaceProperty = m.Metadata.NamespaceProperty, ResourceVersion = m.Metadata.ResourceVersion } };
        var listed = Map("a", "5", labels: new() { ["big"] = "yes" });
        var watched = Map("b", "11", labels: new() { ["big"] = "yes" });
        _client.EnqueuePages(Page("10", null, listed));
        var subscriber = await SubscribeAsync("s1");
        Start();

        (await _client.NextWatchAsync()).Send(WatchEventType.Added, watched).End();
        await _client.NextWatchAsync();

        Assert.Equal(2, subscriber.Received.Count);
        Assert.All(subscriber.Received, m => Assert.Null(m.Metadata.Labels));
        Assert.All(Informer.Cache.List(), m => Assert.Null(m.Metadata.Labels));
        Assert.DoesNotContain(listed, subscriber.Received);
        Assert.DoesNotContain(watched, subscriber.Received);
    }
}
