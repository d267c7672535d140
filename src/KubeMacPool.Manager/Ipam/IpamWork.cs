using System.Threading.Channels;
using k8s;
using KubeMacPool.Manager.Kubernetes.Watching;

namespace KubeMacPool.Manager.Ipam;

/// <summary>One thing the claim controller's loop must look at: a full list, one watch event, or a retry.</summary>
internal abstract record IpamWork
{
    public sealed record Listed<T>(IReadOnlyList<T> Items) : IpamWork;

    public sealed record Changed<T>(WatchEventType Type, T Item) : IpamWork;

    /// <summary>Look at one VM/VMI key (<c>namespace/name</c>) again after a failed write.</summary>
    public sealed record Retry(string Key) : IpamWork;
}

/// <summary>Hands what a watcher sees to the loop without waiting for a reconcile.</summary>
internal sealed class IpamChannelHandler<T>(ChannelWriter<IpamWork> writer) : IResourceEventHandler<T>
{
    public ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken) =>
        writer.WriteAsync(new IpamWork.Listed<T>(items), cancellationToken);

    public ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken) =>
        writer.WriteAsync(new IpamWork.Changed<T>(type, item), cancellationToken);
}
