using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

internal static class ListResponses
{
    /// <summary>
    /// Feeds a list response to <see cref="ListResponseReader{T}"/> as a response body arrives: <paramref name="chunk"/>
    /// bytes at a time, through a pipe whose segments are as small, so tokens and items straddle reads and segments.
    /// </summary>
    public static ResourcePage<T> Read<T>(string json, ListItemReader<T> readItem, int chunk = 1 << 20)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, minimumSegmentSize: Math.Min(chunk, 4096), useSynchronizationContext: false));
        var list = new ListResponseReader<T>(readItem);
        var offset = 0;
        while (true)
        {
            var take = Math.Min(chunk, bytes.Length - offset);
            pipe.Writer.Write(bytes.AsSpan(offset, take));
            offset += take;
            if (offset == bytes.Length)
            {
                pipe.Writer.Complete();
            }
            else
            {
                _ = pipe.Writer.FlushAsync().AsTask().Result;
            }

            Assert.True(pipe.Reader.TryRead(out var read));
            var unread = list.Read(read.Buffer, read.IsCompleted);
            pipe.Reader.AdvanceTo(unread, read.Buffer.End);
            if (read.IsCompleted)
            {
                return list.Page;
            }
        }
    }
}
