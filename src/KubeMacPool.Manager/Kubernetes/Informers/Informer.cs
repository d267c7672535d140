using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers.Packing;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>What the informer host needs of every informer, whatever its kind.</summary>
internal interface IInformer
{
    string Resource { get; }

    /// <summary>KubeVirt kinds start only once discovery finds KubeVirt's API.</summary>
    bool RequiresKubeVirt { get; }

    /// <summary>
    /// Secondary kinds (readiness does not wait on them) start once the primary ones are listed, so their first lists
    /// do not share the CPU with the lists the startup rebuild waits for.
    /// </summary>
    bool Secondary { get; }

    /// <summary>Completes once the first full list is in the cache and every subscriber has seen it.</summary>
    Task Synced { get; }

    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The one list+watch of a kind in this process (client-go's shared informer): one <see cref="ResourceWatcher{T}"/>
/// keeps <see cref="Cache"/> current and hands every list and event to each subscriber, in order. Subscribers are
/// called one at a time, after the cache has the change; they must be quick (update memory, queue a key), because
/// the watch waits for them. After a relist, objects that vanished meanwhile come as Deleted events before the list.
/// A subscriber that joins after the first list gets the cache's content as a list first.
/// </summary>
internal sealed class Informer<T> : IInformer, IResourceEventHandler<T>, IDisposable
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly IResourceClient<T> _source;
    private readonly Func<T, T>? _trim;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _dispatch = new(1, 1);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IResourceEventHandler<T>[] _subscribers = [];
    private bool _listed;

    /// <param name="source">How to list and watch the kind.</param>
    /// <param name="trim">Keeps only the fields consumers read (memory at 100,000 objects); null keeps all.</param>
    /// <param name="requiresKubeVirt">Whether the kind is served only with KubeVirt installed.</param>
    /// <param name="packer">Holds the cached objects as bytes (the kinds that number in the hundred thousands); null holds them as they are.</param>
    public Informer(IResourceClient<T> source, Func<T, T>? trim, bool requiresKubeVirt, ILoggerFactory loggers, TimeProvider time, IObjectPacker<T>? packer = null)
    {
        Cache = new ObjectCache<T>(packer);
        _source = source;
        _trim = trim;
        RequiresKubeVirt = requiresKubeVirt;
        _loggers = loggers;
        _time = time;
    }

    public string Resource => _source.Resource;

    public bool RequiresKubeVirt { get; }

    public bool Secondary { get; init; }

    public ObjectCache<T> Cache { get; }

    public Task Synced => _synced.Task;

    /// <summary>Adds a subscriber; if the first list was already handed out, the subscriber gets the cache as a list now.</summary>
    public async Task SubscribeAsync(IResourceEventHandler<T> subscriber, CancellationToken cancellationToken)
    {
        await _dispatch.WaitAsync(cancellationToken);
        try
        {
            _subscribers = [.. _subscribers, subscriber];
            if (_listed)
            {
                await subscriber.OnListedAsync(Cache.List(), cancellationToken);
            }
        }
        finally
        {
            _dispatch.Release();
        }
    }

    public void Dispose() => _dispatch.Dispose();

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var watcher = new ResourceWatcher<T>(_source, this, _loggers.CreateLogger("KubeMacPool.Informer." + _source.Resource), _time, _trim);
        return watcher.RunAsync(cancellationToken);
    }

    async ValueTask IResourceEventHandler<T>.OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        await _dispatch.WaitAsync(cancellationToken);
        try
        {
            // Objects deleted while the watch was down are said as deletions first, so subscribers that follow
            // events only (queue a key per object) learn of them too.
            var removed = Cache.Replace(items);
            _listed = true;
            foreach (var subscriber in _subscribers)
            {
                foreach (var gone in removed)
                {
                    await subscriber.OnEventAsync(WatchEventType.Deleted, gone, cancellationToken);
                }

                await subscriber.OnListedAsync(items, cancellationToken);
            }
        }
        finally
        {
            _dispatch.Release();
        }

        _synced.TrySetResult();
    }

    async ValueTask IResourceEventHandler<T>.OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken)
    {
        await _dispatch.WaitAsync(cancellationToken);
        try
        {
            if (type == WatchEventType.Deleted)
            {
                Cache.Remove(item);
            }
            else
            {
                Cache.Upsert(item);
            }

            foreach (var subscriber in _subscribers)
            {
                await subscriber.OnEventAsync(type, item, cancellationToken);
            }
        }
        finally
        {
            _dispatch.Release();
        }
    }
}
