using System.Diagnostics;
using System.Text.Json;
using KubeMacPool.Manager.Hosting;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// The HTTP side of every webhook: reads a bounded body, decodes the AdmissionReview, calls the webhook and
/// answers. Whatever arrives, the answer is a clean 400 or a review; never a crash, a stack trace or a 500 page.
/// </summary>
internal static partial class AdmissionEndpoint
{
    /// <summary>The webhook server's request limit, checked here too so a larger body gets a clear 413.</summary>
    public const int MaxBodyBytes = WebhookServer.MaxRequestBodyBytes;

    public static IEndpointConventionBuilder MapAdmissionWebhook<TWebhook>(this IEndpointRouteBuilder endpoints, string path)
        where TWebhook : IAdmissionWebhook =>
        endpoints.MapPost(path, (HttpContext context, TWebhook webhook, ReadinessGate readiness, AdmissionTelemetry telemetry, Leadership leadership, AdmissionForwarder forwarder, ILoggerFactory loggers) =>
            HandleAsync(context, webhook, readiness, telemetry, leadership, forwarder, loggers.CreateLogger("KubeMacPool.Admission")));

    private static async Task<IResult> HandleAsync(
        HttpContext context, IAdmissionWebhook webhook, ReadinessGate readiness, AdmissionTelemetry telemetry, Leadership leadership, AdmissionForwarder forwarder, ILogger logger)
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
            return Results.Text($"unsupported content type {contentType}: expected application/json", statusCode: 400);
        }

        var body = await ReadBodyAsync(context.Request, cancellationToken);
        if (body is null)
        {
            LogOversized(logger, webhook.Name);
            return Results.Text($"request body is larger than {MaxBodyBytes} bytes", statusCode: 413);
        }

        AdmissionReview? review;
        try
        {
            review = JsonSerializer.Deserialize(body, AdmissionJsonContext.Default.AdmissionReview);
        }
        catch (JsonException e)
        {
            LogMalformed(logger, webhook.Name, e.Message);
            return Results.Text("malformed AdmissionReview: " + e.Message, statusCode: 400);
        }

        if (review?.Request is not { Uid: { Length: > 0 } uid } request)
        {
            return Results.Text("malformed AdmissionReview: request.uid is missing", statusCode: 400);
        }

        // Only the leader reviews (and so allocates); the others hand the review on, or hold it during a takeover.
        var leading = leadership.TryEnterLeaderWork();
        if (!leading)
        {
            if (context.Request.Headers.ContainsKey(AdmissionForwarder.ForwardedHeader))
            {
                return Results.Text("not the leader", statusCode: 503);
            }

            try
            {
                if (await forwarder.ForwardAsync(context.Request.Path, body, cancellationToken) is { } answer)
                {
                    return Results.Bytes(answer, "application/json");
                }

                leading = true;
            }
            catch (TimeoutException e)
            {
                return Reply(review, uid, AdmissionResult.Deny("kubemacpool: " + e.Message + "; retry shortly", 503));
            }
        }

        try
        {
            return Reply(review, uid, await ReviewAsync(webhook, request, uid, readiness, telemetry, logger, started, cancellationToken));
        }
        finally
        {
            leadership.ExitLeaderWork();
        }
    }

    private static async Task<AdmissionResult> ReviewAsync(
        IAdmissionWebhook webhook, AdmissionRequest request, string uid, ReadinessGate readiness, AdmissionTelemetry telemetry, ILogger logger, long started, CancellationToken cancellationToken)
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

    private static IResult Reply(AdmissionReview review, string uid, AdmissionResult result) =>
        Results.Json(Answer(review, uid, result), AdmissionJsonContext.Default.AdmissionReview);

    private static AdmissionReview Answer(AdmissionReview review, string uid, AdmissionResult result) => new()
    {
        ApiVersion = review.ApiVersion ?? "admission.k8s.io/v1",
        Kind = "AdmissionReview",
        Response = ToResponse(uid, result),
    };

    /// <summary>The endpoint's decode → review → encode without HTTP, for the warm-up (scratch webhooks only).</summary>
    internal static async ValueTask<byte[]> ReviewBytesAsync(IAdmissionWebhook webhook, byte[] body, CancellationToken cancellationToken)
    {
        var review = JsonSerializer.Deserialize(body, AdmissionJsonContext.Default.AdmissionReview)!;
        var result = await webhook.ReviewAsync(review.Request!, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(Answer(review, review.Request!.Uid!, result), AdmissionJsonContext.Default.AdmissionReview);
    }

    private static AdmissionResponse ToResponse(string uid, AdmissionResult result) => new()
    {
        Uid = uid,
        Allowed = result.Allowed,
        PatchType = result.Patch is null ? null : "JSONPatch",
        Patch = result.Patch?.ToUtf8Bytes(),
        Status = result.Allowed && result.Message is null
            ? null
            : new AdmissionStatus { Code = result.Code, Message = result.Message },
    };

    /// <summary>Reads at most <see cref="MaxBodyBytes"/>; returns null when the body is larger.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 16 * 1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Webhook {Webhook}: refused an oversized request body")]
    private static partial void LogOversized(ILogger logger, string webhook);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Webhook {Webhook}: malformed AdmissionReview: {Error}")]
    private static partial void LogMalformed(ILogger logger, string webhook, string error);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "Webhook {Webhook} failed on request {Uid}")]
    private static partial void LogWebhookFailed(ILogger logger, string webhook, string uid, Exception exception);
}
