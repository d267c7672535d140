using System.Threading.Channels;
using k8s;
using KubeMacPool.Manager.Kubernetes.Watching;

namespace KubeMacPool.Manager.Dhcp;

/// <summary>One thing the reservation controller's loop must look at: a full list, one watch event, or a retry.</summary>
internal abstract record DhcpWork
{
    public sealed record Listed<T>(IReadOnlyList<T> Items) : DhcpWork;

    public sealed record Changed<T>(WatchEventType Type, T Item) : DhcpWork;

    /// <summary>Look at a reservation or VM again (after a failed write), or at everything (both keys null).</summary>
    public sealed record Retry(string? ReservationKey, string? VirtualMachineKey) : DhcpWork;
}

/// <summary>Hands what a watcher sees to the loop; watchers never wait for the loop to finish a reconcile.</summary>
internal sealed class ChannelHandler<T>(ChannelWriter<DhcpWork> writer) : IResourceEventHandler<T>
{
    public ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken) =>
        writer.WriteAsync(new DhcpWork.Listed<T>(items), cancellationToken);

    public ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken) =>
        writer.WriteAsync(new DhcpWork.Changed<T>(type, item), cancellationToken);
}
