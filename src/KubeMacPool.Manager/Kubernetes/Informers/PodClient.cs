using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// Lists (<see cref="ListPages{T}"/>) and watches every pod with raw requests read by <see cref="PodReader"/>: the
/// informer never builds a whole pod (KubernetesClient's list method can only deserialize into <see cref="V1PodList"/>).
/// </summary>
internal sealed class PodClient(RawRequests requests) : IResourceClient<V1Pod>
{
    private const string Path = "api/v1/pods";

    public string Resource => "pods";

    private readonly ListPages<V1Pod> _pages = new(requests, Path, PodReader.Read);

    public Task<ResourcePage<V1Pod>> ListAsync(string? continueToken, int limit, bool initial, CancellationToken cancellationToken) =>
        _pages.ListAsync(continueToken, limit, initial, cancellationToken);

    public async IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(
        string resourceVersion, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var url = requests.Url(
            Path, ("watch", "true"), ("allowWatchBookmarks", "true"), ("resourceVersion", resourceVersion),
            ("timeoutSeconds", WatchDefaults.WatchTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var response = await requests.GetAsync(url, cancellationToken);
        var lines = PipeReader.Create(await response.Content.ReadAsStreamAsync(cancellationToken));
        try
        {
            while (true)
            {
                var read = await lines.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                var ended = false;
                // Each complete line is decoded where it lies in the pipe's buffers: no string per event.
                while (NextLine(ref buffer, read.IsCompleted, out var line))
                {
                    if (IsBlank(line))
                    {
                        continue;
                    }

                    var decoded = PodWatchEvents.Decode(line);
                    if (decoded.Error is { } error)
                    {
                        onError(error);
                        ended = true;
                        break;
                    }

                    yield return (decoded.Type, decoded.Pod!);
                }

                lines.AdvanceTo(buffer.Start, buffer.End);
                if (ended || read.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await lines.CompleteAsync();
        }
    }

    /// <summary>Cuts the next line off <paramref name="buffer"/>; at the stream's end, what is left is the last line.</summary>
    private static bool NextLine(ref ReadOnlySequence<byte> buffer, bool completed, out ReadOnlySequence<byte> line)
    {
        if (buffer.PositionOf((byte)'\n') is { } end)
        {
            line = buffer.Slice(0, end);
            buffer = buffer.Slice(buffer.GetPosition(1, end));
            return true;
        }

        if (completed && !buffer.IsEmpty)
        {
            line = buffer;
            buffer = buffer.Slice(buffer.End);
            return true;
        }

        line = default;
        return false;
    }

    private static bool IsBlank(in ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
