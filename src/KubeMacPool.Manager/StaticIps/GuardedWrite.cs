using k8s.Autorest;
using k8s.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// How the reservation controller runs one write: refused or unreachable, it is logged and reported as not done, so
/// the key is retried with its backoff while the other writes of the same pass still go.
/// </summary>
internal static partial class GuardedWrite
{
    public static async Task<bool> TryAsync(Task write, string target, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await write;
            return true;
        }
        catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogWriteFailed(logger, target, (int)e.Response.StatusCode, e.Response.Content);
            return false;
        }
        catch (HttpRequestException e)
        {
            LogWriteUnreachable(logger, target, e);
            return false;
        }
    }

    /// <summary>A status condition that keeps its transition time while its status stays.</summary>
    public static V1Condition Condition(
        string type, bool ok, string reason, string message, V1Condition? previous, long? generation, TimeProvider time) => new()
        {
            Type = type,
            Status = ok ? "True" : "False",
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = previous?.Status == (ok ? "True" : "False") && previous.LastTransitionTime is { } since
            ? since
            : time.GetUtcNow().UtcDateTime,
        };

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Write for {Target} failed with {Status}: {Body}; retrying")]
    private static partial void LogWriteFailed(ILogger logger, string target, int status, string body);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Write for {Target} could not reach the API server; retrying")]
    private static partial void LogWriteUnreachable(ILogger logger, string target, Exception exception);
}
