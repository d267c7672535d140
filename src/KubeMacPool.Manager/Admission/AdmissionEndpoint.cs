using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KubeMacPool.Manager.Hosting;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// The HTTP side of every webhook: reads a bounded body, decodes the AdmissionReview, calls the webhook and
/// answers. Whatever arrives, the answer is a clean 400 or a review; never a crash, a stack trace or a 500 page.
/// </summary>
/// <remarks>
/// This is the service's hot path, so it is a plain <see cref="RequestDelegate"/> over singletons resolved once (no
/// per-request parameter binding, service scope or logger lookup), reads the body into a pooled buffer, and writes
/// each answer with its Content-Length in one write: a chunked answer costs a second TLS record and send for its
/// terminating chunk.
/// </remarks>
internal sealed partial class AdmissionEndpoint(
    IAdmissionWebhook webhook, ReadinessGate readiness, AdmissionTelemetry telemetry, Leadership leadership, AdmissionForwarder forwarder, ILogger logger)
{
    /// <summary>The webhook server's request limit, checked here too so a larger body gets a clear 413.</summary>
    public const int MaxBodyBytes = WebhookServer.MaxRequestBodyBytes;

    // An API server always sends Content-Length; without one, start at the size of a typical review.
    private const int UnknownLengthBuffer = 16 * 1024;

    /// <summary>The endpoint of one webhook, over the singletons every review uses.</summary>
    public static RequestDelegate For(IAdmissionWebhook webhook, IServiceProvider services) =>
        new AdmissionEndpoint(
            webhook,
            services.GetRequiredService<ReadinessGate>(),
            services.GetRequiredService<AdmissionTelemetry>(),
            services.GetRequiredService<Leadership>(),
            services.GetRequiredService<AdmissionForwarder>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("KubeMacPool.Admission")).HandleAsync;

    /// <summary>The endpoint's decode → review → encode without HTTP, for the warm-up (scratch webhooks only).</summary>
    internal static async ValueTask<int> ReviewBytesAsync(IAdmissionWebhook webhook, byte[] body, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(body, AdmissionReview.ParseOptions);
        AdmissionReview.TryRead(document.RootElement, out var apiVersion, out var request, out _);
        var result = await webhook.ReviewAsync(request!, cancellationToken);
        using var answer = AdmissionAnswer.Write(apiVersion, request!.Uid!, result);
        return answer.WrittenSpan.Length;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var cancellationToken = context.RequestAborted;
        if (leadership.Draining)
        {
            // HTTP/1.1 keep-alive connections stay pinned to this replica through an L4 balancer; closing each after
            // its next answer moves the API server to a new connection (another replica) without a request lost in
            // the race of an idle connection closed under it.
            context.Response.Headers.Connection = "close";
        }

        if (context.Request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await WriteTextAsync(context.Response, 400, $"unsupported content type {contentType}: expected application/json", cancellationToken);
            return;
        }

        var (body, length) = await ReadBodyAsync(context.Request, cancellationToken);
        if (body is null)
        {
            LogOversized(logger, webhook.Name);
            await WriteTextAsync(context.Response, 413, $"request body is larger than {MaxBodyBytes} bytes", cancellationToken);
            return;
        }

        try
        {
            // One parse over the pooled body: the document's index is pooled too, and the webhooks read the objects
            // in place. The document is disposed before the body goes back to the pool.
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body.AsMemory(0, length), AdmissionReview.ParseOptions);
            }
            catch (JsonException e)
            {
                LogMalformed(logger, webhook.Name, e.Message);
                await WriteTextAsync(context.Response, 400, "malformed AdmissionReview: " + e.Message, cancellationToken);
                return;
            }

            using (document)
            {
                await HandleReviewAsync(context, document.RootElement, body.AsMemory(0, length), started, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private async Task HandleReviewAsync(HttpContext context, JsonElement root, ReadOnlyMemory<byte> body, long started, CancellationToken cancellationToken)
    {
        if (!AdmissionReview.TryRead(root, out var apiVersion, out var review, out var problem))
        {
            LogMalformed(logger, webhook.Name, problem!);
            await WriteTextAsync(context.Response, 400, "malformed AdmissionReview: " + problem, cancellationToken);
            return;
        }

        if (review is not { Uid: { Length: > 0 } uid } request)
        {
            await WriteTextAsync(context.Response, 400, "malformed AdmissionReview: request.uid is missing", cancellationToken);
            return;
        }

        // Only the leader reviews (and so allocates); the others hand the review on, or hold it during a takeover.
        if (!leadership.TryEnterLeaderWork())
        {
            if (context.Request.Headers.ContainsKey(AdmissionForwarder.ForwardedHeader))
            {
                await WriteTextAsync(context.Response, 503, "not the leader", cancellationToken);
                return;
            }

            try
            {
                if (await forwarder.ForwardAsync(context.Request.Path, body.ToArray(), cancellationToken) is { } answer)
                {
                    await WriteJsonAsync(context.Response, answer, cancellationToken);
                    return;
                }

                // The forwarder returns without an answer only once this replica leads (it entered leader work).
            }
            catch (TimeoutException e)
            {
                await WriteAnswerAsync(context.Response, apiVersion, uid, AdmissionResult.Deny("kubemacpool: " + e.Message + "; retry shortly", 503), cancellationToken);
                return;
            }
        }

        AdmissionResult result;
        try
        {
            result = await ReviewAsync(request, uid, started, cancellationToken);
        }
        finally
        {
            leadership.ExitLeaderWork();
        }

        await WriteAnswerAsync(context.Response, apiVersion, uid, result, cancellationToken);
    }

    private async ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, string uid, long started, CancellationToken cancellationToken)
    {
        using var activity = AdmissionTelemetry.Start(webhook.Name, request);
        AdmissionResult result;
        if (readiness.NotReadyReason is { } notReady)
        {
            result = AdmissionResult.Deny($"kubemacpool is not ready yet ({notReady}); retry shortly", 503);
        }
        else if (request.Object is null)
        {
            result = AdmissionResult.BadRequest("the admission request carries no object");
        }
        else
        {
            try
            {
                result = await webhook.ReviewAsync(request, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogWebhookFailed(logger, webhook.Name, uid, e);
                result = AdmissionResult.Deny("internal error in kubemacpool: " + e.Message);
            }
        }

        telemetry.Complete(activity, webhook.Name, result, Stopwatch.GetElapsedTime(started));
        return result;
    }

    private static async Task WriteAnswerAsync(HttpResponse response, string? apiVersion, string uid, AdmissionResult result, CancellationToken cancellationToken)
    {
        using var answer = AdmissionAnswer.Write(apiVersion, uid, result);
        await WriteJsonAsync(response, answer.WrittenMemory, cancellationToken);
    }

    private static Task WriteJsonAsync(HttpResponse response, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        response.ContentType = "application/json";
        response.ContentLength = json.Length;
        return response.Body.WriteAsync(json, cancellationToken).AsTask();
    }

    private static Task WriteTextAsync(HttpResponse response, int status, string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, cancellationToken).AsTask();
    }

    /// <summary>
    /// Reads at most <see cref="MaxBodyBytes"/> into a buffer from the shared pool (the caller returns it); the
    /// buffer is null when the body is larger.
    /// </summary>
    private static async ValueTask<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, 0);
        }

        var expected = request.ContentLength is { } known and > 0 ? (int)known : -1;
        var buffer = ArrayPool<byte>.Shared.Rent(expected > 0 ? expected + 1 : UnknownLengthBuffer);
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > MaxBodyBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, 0);
                }

                if (length == expected)
                {
                    break; // the whole body (the server frames it by Content-Length): no further read to learn it ended
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return (buffer, length);
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Webhook {Webhook}: refused an oversized request body")]
    private static partial void LogOversized(ILogger logger, string webhook);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Webhook {Webhook}: malformed AdmissionReview: {Error}")]
    private static partial void LogMalformed(ILogger logger, string webhook, string error);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "Webhook {Webhook} failed on request {Uid}")]
    private static partial void LogWebhookFailed(ILogger logger, string webhook, string uid, Exception exception);
}
