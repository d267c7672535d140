using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>The arguments one list or watch call takes.</summary>
internal readonly record struct ListCall(
    string? Continue, int? Limit, string? ResourceVersion, bool Watch, int? TimeoutSeconds);

/// <summary>
/// An <see cref="IResourceClient{T}"/> over one generated "list" method of KubernetesClient: the same call
/// lists (with paging) and watches (with <c>watch=true</c>), as the API does.
/// </summary>
internal sealed class ResourceClient<T, TList>(
    string resource,
    Func<ListCall, CancellationToken, Task<HttpOperationResponse<TList>>> call) : IResourceClient<T>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    public string Resource => resource;

    /// <remarks>
    /// Always paged from etcd, first list or not: KubernetesClient reads a response whole, and the watch cache would
    /// answer in one response. These kinds are small next to pods and VMs, which list through <see cref="ListPages{T}"/>.
    /// </remarks>
    public async Task<ResourcePage<T>> ListAsync(string? continueToken, int limit, bool initial, CancellationToken cancellationToken)
    {
        using var response = await call(new ListCall(continueToken, limit, null, false, null), cancellationToken);
        var list = response.Body;
        return new ResourcePage<T>(list.Items ?? [], list.Metadata?.ContinueProperty, list.Metadata?.ResourceVersion);
    }

    // The replacement the client suggests exists only per resource; this generic form is what one loop for all needs.
#pragma warning disable CS0618
    public IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken) =>
        call(new ListCall(null, null, resourceVersion, true, WatchDefaults.WatchTimeoutSeconds), cancellationToken)
            .WatchAsync<T, TList>(onError, cancellationToken);
#pragma warning restore CS0618
}
