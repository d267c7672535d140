using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// Admission handler throughput and latency over TLS on loopback (<c>--admission URL</c>, e.g. the
/// <c>KMP_WEBHOOK_URL</c> that <c>make cluster-sync</c> prints): pod reviews, each reserving one MAC, sent by
/// 1, 16 and 64 concurrent clients on keep-alive connections, a fresh pod name per review. Bounded: a fixed number of requests per level.
/// </summary>
public static class AdmissionLoad
{
    public static async Task RunAsync(Uri webhook, int requestsPerLevel = 4000)
    {
        // Fresh names in every run too: a name re-admitted while its first reservation is pending measures the retry
        // path, not a create.
        var run = Guid.NewGuid().ToString("N")[..8];
        foreach (var clients in new[] { 1, 16, 64 })
        {
            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = clients,
#pragma warning disable CA5359 // the manager's throwaway certificate on loopback; TLS cost is what is measured, not trust
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
            };
            using var http = new HttpClient(handler) { BaseAddress = webhook };
            var latencies = new double[requestsPerLevel];
            var next = -1;
            var denied = 0;
            var total = Stopwatch.StartNew();
            await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (_, ct) =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < requestsPerLevel)
                {
                    var review = $$$"""
                        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"load-{{{run}}}-{{{clients}}}-{{{i}}}","operation":"CREATE",
                         "namespace":"kmp-load","object":{"metadata":{"name":"load-{{{run}}}-{{{clients}}}-{{{i}}}","namespace":"kmp-load",
                         "annotations":{"k8s.v1.cni.cncf.io/networks":"[{\"name\":\"br1\"}]"} } } } }
                        """;
                    using var content = new StringContent(review, Encoding.UTF8);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsync(new Uri("/mutate-pods", UriKind.Relative), content, ct);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (!response.IsSuccessStatusCode || !body.Contains("\"allowed\":true", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref denied);
                    }
                }
            });
            Array.Sort(latencies);
            Console.WriteLine(
                $"{clients,2} clients: {requestsPerLevel / total.Elapsed.TotalSeconds:F0} reviews/s, p50 {latencies[requestsPerLevel / 2]:F2} ms, " +
                $"p99 {latencies[requestsPerLevel * 99 / 100]:F2} ms, not allowed {denied}");
        }
    }
}
