using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>
/// An API server for one kind, scripted by the test: list calls answer the pages queued with <see cref="EnqueuePages"/>
/// in order; each watch call opens a <see cref="FakeWatch{T}"/> the test drives (send events, end, expire). Every
/// call is recorded. A watch the test has not ended stays open until the watcher is cancelled, so the watcher's
/// next call is the deterministic signal that it has handled everything before it.
/// </summary>
internal sealed class FakeResourceClient<T>(string resource = "configmaps") : IResourceClient<T>
{
    private readonly Lock _lock = new();
    private readonly Queue<Func<ResourcePage<T>>> _pages = new();
    private readonly List<(string? Continue, int Limit, bool Initial)> _listCalls = [];
    private readonly Channel<FakeWatch<T>> _watches = Channel.CreateUnbounded<FakeWatch<T>>();
    private readonly Channel<int> _listed = Channel.CreateUnbounded<int>();

    public string Resource => resource;

    public IReadOnlyList<(string? Continue, int Limit, bool Initial)> ListCalls
    {
        get
        {
            lock (_lock)
            {
                return [.. _listCalls];
            }
        }
    }

    /// <summary>The pages of one full list, answered to the next list calls in this order.</summary>
    public FakeResourceClient<T> EnqueuePages(params ResourcePage<T>[] pages)
    {
        lock (_lock)
        {
            foreach (var page in pages)
            {
                _pages.Enqueue(() => page);
            }
        }

        return this;
    }

    /// <summary>The next list call fails with <paramref name="error"/>.</summary>
    public FakeResourceClient<T> EnqueueListFailure(Exception error)
    {
        lock (_lock)
        {
            _pages.Enqueue(() => throw error);
        }

        return this;
    }

    /// <summary>The next watch the watcher opens (waits for it; fails the test after 10 s rather than hang).</summary>
    public async Task<FakeWatch<T>> NextWatchAsync() =>
        await _watches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Waits until list calls number <paramref name="count"/> in all.</summary>
    public async Task ListCalledAsync(int count)
    {
        while (ListCalls.Count < count)
        {
            await _listed.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public Task<ResourcePage<T>> ListAsync(string? continueToken, int limit, bool initial, CancellationToken cancellationToken)
    {
        Func<ResourcePage<T>> answer;
        lock (_lock)
        {
            _listCalls.Add((continueToken, limit, initial));
            answer = _pages.Count > 0 ? _pages.Dequeue() : () => throw new InvalidOperationException("no list page scripted");
            _listed.Writer.TryWrite(_listCalls.Count);
        }

        return Task.FromResult(answer());
    }

    public IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken)
    {
        var watch = new FakeWatch<T>(resourceVersion);
        _watches.Writer.TryWrite(watch);
        return watch.ReadAsync(onError, cancellationToken);
    }
}

/// <summary>One watch stream the watcher opened, from <see cref="ResourceVersion"/>.</summary>
internal sealed class FakeWatch<T>(string resourceVersion)
{
    private readonly Channel<(WatchEventType Type, T? Object, Exception? Error)> _steps =
        Channel.CreateUnbounded<(WatchEventType, T?, Exception?)>();

    public string ResourceVersion => resourceVersion;

    public FakeWatch<T> Send(WatchEventType type, T item)
    {
        _steps.Writer.TryWrite((type, item, null));
        return this;
    }

    /// <summary>The server closes the stream normally (its timeout): the client should resume, not relist.</summary>
    public void End() => _steps.Writer.TryComplete();

    /// <summary>The server says the version is too old: a 410 Status reaches onError, then the stream ends.</summary>
    public void Expire()
    {
        var status = new V1Status { Code = 410, Reason = "Expired", Message = "too old resource version" };
        _steps.Writer.TryWrite((WatchEventType.Error, default, new KubernetesException(status)));
        _steps.Writer.TryComplete();
    }

    /// <summary>The connection breaks: the enumeration throws.</summary>
    public void Break() => _steps.Writer.TryComplete(new HttpOperationException("connection reset"));

    /// <summary>Ends the stream with <paramref name="error"/>, as the client surfaces a connection problem.</summary>
    public void Break(Exception error) => _steps.Writer.TryComplete(error);

    /// <summary>The 410 comes as an exception thrown by the stream rather than through onError.</summary>
    public void ThrowExpired() =>
        _steps.Writer.TryComplete(new KubernetesException(new V1Status { Code = 410, Reason = "Expired" }));

    internal async IAsyncEnumerable<(WatchEventType Type, T Object)> ReadAsync(
        Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, item, error) in _steps.Reader.ReadAllAsync(cancellationToken))
        {
            if (error is not null)
            {
                onError(error);
                continue;
            }

            yield return (type, item!);
        }
    }
}

/// <summary>Objects and pages for the informer tests: config maps keyed "ns/name" with a resourceVersion.</summary>
internal static class ConfigMaps
{
    public static V1ConfigMap Map(string name, string resourceVersion, string @namespace = "ns", Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace, ResourceVersion = resourceVersion, Labels = labels },
    };

    public static ResourcePage<V1ConfigMap> Page(string? resourceVersion, string? continueToken, params V1ConfigMap[] items) =>
        new(items, continueToken, resourceVersion);
}
