using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// VirtualMachines: lists, the first one the largest read of a start, through <see cref="ListPages{T}"/> read by
/// <see cref="VirtualMachineReader"/>; watch events through the client's generated call (<paramref name="watches"/>).
/// </summary>
internal sealed class VirtualMachineClient(RawRequests requests, IResourceClient<VirtualMachine> watches) : IResourceClient<VirtualMachine>
{
    private readonly ListPages<VirtualMachine> _pages = new(
        requests, $"apis/{VirtualMachine.Group}/{VirtualMachine.Version}/{VirtualMachine.Plural}", VirtualMachineReader.Read);

    public string Resource => watches.Resource;

    public Task<ResourcePage<VirtualMachine>> ListAsync(string? continueToken, int limit, bool initial, CancellationToken cancellationToken) =>
        _pages.ListAsync(continueToken, limit, initial, cancellationToken);

    public IAsyncEnumerable<(k8s.WatchEventType Type, VirtualMachine Object)> WatchAsync(
        string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken) =>
        watches.WatchAsync(resourceVersion, onError, cancellationToken);
}
