using k8s;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// Lets a watch list while another is still listing, but hands over nothing until <paramref name="gate"/> completes:
/// pods are listed alongside VMs at startup and applied once the VMs are known (launcher pods belong to them).
/// </summary>
internal sealed class GatedHandler<T>(IResourceEventHandler<T> inner, Func<Task> gate) : IResourceEventHandler<T>
{
    public async ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        await gate().WaitAsync(cancellationToken);
        await inner.OnListedAsync(items, cancellationToken);
    }

    public async ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken)
    {
        await gate().WaitAsync(cancellationToken);
        await inner.OnEventAsync(type, item, cancellationToken);
    }
}
