namespace KubeMacPool.Manager.Hosting;

internal static class HealthEndpoints
{
    /// <summary>
    /// <c>/healthz</c> is a plain ping (liveness must not depend on the pool: a big cluster takes a while to
    /// rebuild); <c>/readyz</c> fails, saying why, until every readiness condition holds.
    /// </summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        // A draining replica still answers the reviews that reach it (it forwards them); not ready only steers new ones away.
        endpoints.MapGet("/readyz", (ReadinessGate readiness, Leadership leadership) =>
            (leadership.Draining ? "shutting down: the Lease is handed over" : readiness.NotReadyReason) is { } reason
                ? Results.Text(reason, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("ok"));
    }
}
