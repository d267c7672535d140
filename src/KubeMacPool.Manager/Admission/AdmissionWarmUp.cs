using System.Net;
using System.Text;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// One webhook to warm up: a throwaway instance (its own scratch pool, never the real one) and sample reviews.
/// Features register theirs with <see cref="AdmissionWarmUpExtensions.AddAdmissionWarmUp"/>.
/// </summary>
internal sealed record AdmissionWarmUpCase(string Path, Func<IServiceProvider, IAdmissionWebhook> ScratchWebhook, Func<int, byte[]> Review);

/// <summary>
/// A fresh process runs its first seconds of admissions on precompiled (ReadyToRun) and tier-0 code until the JIT has
/// re-optimised the hot paths. This runs the admission path as soon as the pool is ready, so it neither competes with
/// the CPU-bound startup rebuild nor gates readiness (start → ready stays what it was): in process, a few thousand
/// sample reviews per webhook
/// through the endpoint's own decode → review → encode against scratch webhooks; over HTTPS on loopback, reviews
/// without a uid, which the endpoint answers with a 400 before any webhook or pool is involved (Kestrel, TLS, routing
/// and the body reader get warm).
/// </summary>
internal sealed partial class AdmissionWarmUp(
    IEnumerable<AdmissionWarmUpCase> cases,
    IServiceProvider services,
    ServingCertificate serving,
    ReadinessGate readiness,
    IOptions<ManagerOptions> options,
    TimeProvider time,
    ILogger<AdmissionWarmUp> logger) : BackgroundService
{
    internal const int InProcessReviews = 4_000;
    internal const int LoopbackRequests = 600;
    private const int LoopbackClients = 8;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AdmissionWarmUp)
        {
            return;
        }

        await readiness.WhenFirstSatisfied(WellKnown.PoolReadiness).WaitAsync(stoppingToken);
        var started = time.GetTimestamp();
        var reviewed = 0;
        foreach (var warmUp in cases)
        {
            var webhook = warmUp.ScratchWebhook(services);
            for (var i = 0; i < InProcessReviews && !stoppingToken.IsCancellationRequested; i++)
            {
                await AdmissionEndpoint.ReviewBytesAsync(webhook, warmUp.Review(i), stoppingToken);
                reviewed++;
            }
        }

        var inProcess = time.GetElapsedTime(started);
        var answered = 0;
        try
        {
            await serving.Available.WaitAsync(stoppingToken);
            answered = await LoopbackAsync(stoppingToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
        {
            LogLoopbackFailed(logger, e.Message);
        }

        var total = time.GetElapsedTime(started);
        LogWarm(logger, reviewed, inProcess.TotalMilliseconds, answered, total.TotalMilliseconds);

        // The scratch pools and sample reviews are garbage now; give their memory back rather than keep it as heap.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private async Task<int> LoopbackAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var host = settings.WebhookAddress is "0.0.0.0" or "::" ? "127.0.0.1" : settings.WebhookAddress;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && serving.Current is { } own && certificate.GetRawCertData().AsSpan().SequenceEqual(own.RawData);
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://{(host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host)}:{settings.WebhookPort}") };
        var paths = cases.Select(c => c.Path).Distinct().ToArray();
        var body = Encoding.UTF8.GetBytes("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}""");
        var answered = 0;
        await Parallel.ForAsync(0, LoopbackRequests, new ParallelOptions { MaxDegreeOfParallelism = LoopbackClients, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync(paths[i % paths.Length], content, ct);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Interlocked.Increment(ref answered);
            }
        });
        return answered;
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "Admission warm-up: {Reviews} sample reviews in process ({InProcessMs} ms, scratch pools), {Requests} loopback requests; {TotalMs} ms")]
    private static partial void LogWarm(ILogger logger, int reviews, double inProcessMs, int requests, double totalMs);

    [LoggerMessage(EventId = 521, Level = LogLevel.Debug, Message = "Admission warm-up over loopback stopped: {Error}")]
    private static partial void LogLoopbackFailed(ILogger logger, string error);
}

internal static class AdmissionWarmUpExtensions
{
    /// <summary>Registers a webhook for the warm-up: a scratch instance (never the real pool) and sample reviews.</summary>
    public static IServiceCollection AddAdmissionWarmUp(this IServiceCollection services, string path, Func<IServiceProvider, IAdmissionWebhook> scratchWebhook, Func<int, byte[]> review)
    {
        services.AddSingleton(new AdmissionWarmUpCase(path, scratchWebhook, review));
        return services;
    }
}
