using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// VirtualMachines: the first list, the largest read of a start, through <see cref="ListPages"/> read by
/// <see cref="VirtualMachineListReader"/>; watch events through the client's generated call (<paramref name="watches"/>).
/// </summary>
internal sealed class VirtualMachineClient(RawRequests requests, IResourceClient<VirtualMachine> watches) : IResourceClient<VirtualMachine>
{
    private readonly ListPages _pages = new(requests, $"apis/{VirtualMachine.Group}/{VirtualMachine.Version}/{VirtualMachine.Plural}");

    public string Resource => watches.Resource;

    public Task<ResourcePage<VirtualMachine>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken) =>
        _pages.ListAsync<CachedVirtualMachineList, VirtualMachine>(continueToken, limit, cancellationToken);

    public IAsyncEnumerable<(k8s.WatchEventType Type, VirtualMachine Object)> WatchAsync(
        string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken) =>
        watches.WatchAsync(resourceVersion, onError, cancellationToken);
}
