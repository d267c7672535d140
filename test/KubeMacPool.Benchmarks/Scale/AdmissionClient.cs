using System.Diagnostics;
using System.Net.Http.Headers;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>What one load phase measured.</summary>
internal sealed record LoadResult(int Reviews, double Seconds, double P50, double P99, double Max, int NotAllowed)
{
    public double Rate => Reviews / Seconds;

    public override string ToString() =>
        $"{Rate,7:F0} reviews/s, p50 {P50,6:F2} ms, p99 {P99,6:F2} ms, max {Max,7:F1} ms, not allowed {NotAllowed}";
}

/// <summary>
/// The one client both the floor and the webhook are measured with: keep-alive HTTPS connections, one client per
/// connection, each posting its next review as soon as the previous answer is read (closed loop), or at a fixed
/// pace (open loop) when what matters is the worst wait of a review rather than the rate.
/// </summary>
internal sealed class AdmissionClient(Uri server) : IDisposable
{
    private readonly SocketsHttpHandler _handler = new()
    {
        MaxConnectionsPerServer = 256,
#pragma warning disable CA5359 // throwaway certificates on loopback; TLS cost is what is measured, not trust
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
    };

    private HttpClient? _http;

    private HttpClient Http => _http ??= new HttpClient(_handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        _http?.Dispose();
        _handler.Dispose();
    }

    /// <summary>Closed loop: <paramref name="clients"/> clients for <paramref name="duration"/>; review i's body is <paramref name="body"/>(i).</summary>
    public Task<LoadResult> RunAsync(string path, int clients, TimeSpan duration, Func<int, byte[]> body) =>
        RunCoreAsync(path, clients, duration, int.MaxValue, body, pace: null);

    /// <summary>Closed loop until <paramref name="reviews"/> reviews are answered.</summary>
    public Task<LoadResult> RunCountAsync(string path, int clients, int reviews, Func<int, byte[]> body) =>
        RunCoreAsync(path, clients, TimeSpan.MaxValue, reviews, body, pace: null);

    /// <summary>Open loop: each client sends one review every <paramref name="pace"/> (late ones go at once).</summary>
    public Task<LoadResult> RunPacedAsync(string path, int clients, TimeSpan duration, TimeSpan pace, Func<int, byte[]> body) =>
        RunCoreAsync(path, clients, duration, int.MaxValue, body, pace);

    private async Task<LoadResult> RunCoreAsync(string path, int clients, TimeSpan duration, int reviews, Func<int, byte[]> body, TimeSpan? pace)
    {
        var uri = new Uri(path, UriKind.Relative);
        var perClient = new List<double>[clients];
        var next = -1;
        var notAllowed = 0;
        var total = Stopwatch.StartNew();
        await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (c, ct) =>
        {
            var latencies = perClient[c] = new List<double>(4096);
            var due = Stopwatch.GetTimestamp();
            while (total.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= reviews)
                {
                    break;
                }

                if (pace is { } interval)
                {
                    due += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, ct);
                    }
                }

                using var content = new ByteArrayContent(body(i));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await Http.PostAsync(uri, content, ct);
                var answer = await response.Content.ReadAsByteArrayAsync(ct);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode || answer.AsSpan().IndexOf("\"allowed\":true"u8) < 0)
                {
                    Interlocked.Increment(ref notAllowed);
                }
            }
        });
        var seconds = total.Elapsed.TotalSeconds;
        var all = perClient.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return all.Length == 0
            ? new LoadResult(0, seconds, 0, 0, 0, notAllowed)
            : new LoadResult(all.Length, seconds, all[all.Length / 2], all[(int)(all.Length * 0.99)], all[^1], notAllowed);
    }
}
