using KubeMacPool.Manager.Hosting;

namespace KubeMacPool.Manager.Kubernetes.Client;

/// <summary>
/// The last line of the one-writer rule, in the client every API call goes through: a replica that does not lead
/// sends no write (the write loops already wait for leadership; this makes a missed path fail loudly instead of
/// writing). Exempt: the election's own Lease, and the reviews /metrics asks the API server for (not persisted).
/// Every request carries this process's identity as its User-Agent, so the API server's field managers and audit
/// log say which replica wrote.
/// </summary>
internal sealed class LeaderOnlyWrites(Leadership leadership) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.Clear();
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent(leadership.Identity));
        if (IsWrite(request) && !IsExempt(request.RequestUri) && !leadership.IsLeader)
        {
            throw new StandbyWriteException($"{request.Method} {request.RequestUri?.AbsolutePath}: this replica is not the leader; only the leader writes");
        }

        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>The API server takes the default field manager from the part before the first '/'.</summary>
    public static string UserAgent(string identity) => "kubemacpool@" + identity + "/v1";

    private static bool IsWrite(HttpRequestMessage request) =>
        request.Method != HttpMethod.Get && request.Method != HttpMethod.Head && request.Method != HttpMethod.Options;

    private static bool IsExempt(Uri? uri) => uri?.AbsolutePath is { } path
        && (path.Contains("/apis/coordination.k8s.io/", StringComparison.Ordinal)
            || path.EndsWith("/tokenreviews", StringComparison.Ordinal)
            || path.EndsWith("/subjectaccessreviews", StringComparison.Ordinal));
}

/// <summary>A write attempted by a replica that does not lead.</summary>
internal sealed class StandbyWriteException(string message) : InvalidOperationException(message);
