using System.Globalization;
using System.IO.Pipelines;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// Lists with raw requests, each response read item by item as it arrives (<see cref="ListResponseReader{T}"/>) by a
/// reader of our own that builds only what the cache keeps. An informer's first list asks for any version
/// (<c>resourceVersion=0</c>), as client-go's reflector does: the API server answers it from its watch cache, which at
/// 10,000 VirtualMachines costs it a third of the CPU of a read from etcd, in one response (the watch cache may ignore
/// the limit; this project's v1.20 control plane does).
/// Relists ask for the latest (paged, from etcd), so the cache never goes back in time.
/// </summary>
internal sealed class ListPages<T>(RawRequests requests, string path, ListItemReader<T> readItem)
{
    // Reads land in buffers this large (the pipe's default is 4 KiB: a read per few items at 10,000 objects).
    private const int ReadBufferSize = 64 * 1024;

    public async Task<ResourcePage<T>> ListAsync(string? continueToken, int limit, bool initial, CancellationToken cancellationToken)
    {
        var url = requests.Url(
            path,
            ("limit", limit.ToString(CultureInfo.InvariantCulture)),
            ("continue", continueToken),
            ("resourceVersion", initial && continueToken is null ? "0" : null));
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stalled.CancelAfter(WatchDefaults.ListStallTimeout);
        using var response = await requests.GetAsync(url, stalled.Token);
        var body = PipeReader.Create(
            await response.Content.ReadAsStreamAsync(stalled.Token),
            new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: ReadBufferSize / 4));
        try
        {
            var list = new ListResponseReader<T>(readItem);
            while (true)
            {
                var read = await body.ReadAsync(stalled.Token);
                stalled.CancelAfter(WatchDefaults.ListStallTimeout);
                var unread = list.Read(read.Buffer, read.IsCompleted);
                if (read.IsCompleted)
                {
                    return list.Page;
                }

                body.AdvanceTo(unread, read.Buffer.End);
            }
        }
        finally
        {
            await body.CompleteAsync();
        }
    }
}
