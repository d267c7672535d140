using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// The pages of a list read by the list type's own reader (<see cref="PodListReader"/>,
/// <see cref="VirtualMachineListReader"/>) from one buffer kept for the list: a reader of our own cannot stream, so a
/// page is read whole first, and System.Text.Json's own buffering (doubling arrays of the shared pool, up to the
/// size of a page) left a few MiB of arrays in the pool for good. The buffer goes once a list's last page is read.
/// One list at a time (the informer's list loop).
/// </summary>
internal sealed class ListPages(RawRequests requests, string path)
{
    private const int FirstBufferSize = 256 * 1024;

    private byte[]? _buffer;

    public async Task<ResourcePage<T>> ListAsync<TList, T>(string? continueToken, int limit, CancellationToken cancellationToken)
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var url = requests.Url(path, ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("continue", continueToken));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WatchDefaults.PageTimeout);
        int length;
        using (var response = await requests.GetAsync(url, timeout.Token))
        {
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            length = await ReadAsync(body, timeout.Token);
        }

        var list = JsonSerializer.Deserialize<TList>(_buffer.AsSpan(0, length)) ?? throw new JsonException("a null " + typeof(TList).Name);
        var next = list.Metadata?.ContinueProperty;
        if (string.IsNullOrEmpty(next))
        {
            _buffer = null;
        }

        return new ResourcePage<T>(list.Items ?? [], next, list.Metadata?.ResourceVersion);
    }

    private async Task<int> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        _buffer ??= new byte[FirstBufferSize];
        var length = 0;
        int read;
        while ((read = await body.ReadAsync(_buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        return length;
    }
}
