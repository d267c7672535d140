using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// One thing a controller loop that watches several kinds must look at: a full list or one watch event of any of
/// them, or a retry of the controller's own (a subclass). One loop reads them all, so its caches need no locks.
/// </summary>
internal abstract record ControllerWork
{
    public sealed record Listed<T>(IReadOnlyList<T> Items) : ControllerWork;

    public sealed record Changed<T>(WatchEventType Type, T Item) : ControllerWork;
}

internal static class ControllerWorkChannel
{
    /// <summary>
    /// Runs a list+watch of <paramref name="source"/> that writes every list and event into <paramref name="writer"/>;
    /// the watcher never waits for the loop to finish a reconcile.
    /// </summary>
    public static Task WatchInto<T>(
        this ChannelWriter<ControllerWork> writer,
        IResourceClient<T> source,
        ILoggerFactory loggers,
        TimeProvider time,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var watcher = new ResourceWatcher<T>(
            source, new ChannelHandler<T>(writer), loggers.CreateLogger("KubeMacPool.Watch." + source.Resource), time);
        return Task.Run(() => watcher.RunAsync(cancellationToken), cancellationToken);
    }

    public static Channel<ControllerWork> Create() =>
        Channel.CreateUnbounded<ControllerWork>(new UnboundedChannelOptions { SingleReader = true });

    private sealed class ChannelHandler<T>(ChannelWriter<ControllerWork> writer) : IResourceEventHandler<T>
    {
        public ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken) =>
            writer.WriteAsync(new ControllerWork.Listed<T>(items), cancellationToken);

        public ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken) =>
            writer.WriteAsync(new ControllerWork.Changed<T>(type, item), cancellationToken);
    }
}
