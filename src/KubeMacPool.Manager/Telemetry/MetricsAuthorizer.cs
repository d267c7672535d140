using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Telemetry;

/// <summary>What a scrape's bearer token is allowed: 401 unauthenticated, 403 forbidden, 200 allowed.</summary>
internal enum ScrapeDecision
{
    Allowed,
    Unauthenticated,
    Forbidden,
}

/// <summary>
/// Upstream's metrics filter: the bearer token must pass a TokenReview, and its user a SubjectAccessReview for
/// <c>get</c> on the non-resource URL <c>/metrics</c>. Answers are cached briefly per token (by hash), so a
/// scraper every few seconds costs two API calls per TTL, not per scrape.
/// </summary>
internal sealed partial class MetricsAuthorizer(
    IKubernetes client, IOptions<MetricsOptions> options, TimeProvider time, ILogger<MetricsAuthorizer> logger)
{
    public const string MetricsPath = "/metrics";
    private const int CacheLimit = 1024;

    private readonly ConcurrentDictionary<string, (ScrapeDecision Decision, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async Task<ScrapeDecision> AuthorizeAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || authorization[7..].Trim() is not { Length: > 0 } token)
        {
            return ScrapeDecision.Unauthenticated;
        }

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Decision;
        }

        var decision = await ReviewAsync(token, cancellationToken);
        if (_cache.Count >= CacheLimit)
        {
            _cache.Clear();
        }

        _cache[key] = (decision, now + options.Value.AuthorizationCacheTtl);
        return decision;
    }

    private async Task<ScrapeDecision> ReviewAsync(string token, CancellationToken cancellationToken)
    {
        var review = await client.AuthenticationV1.CreateTokenReviewAsync(
            new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: cancellationToken);
        if (review.Status?.Authenticated != true || review.Status.User is not { } user)
        {
            LogUnauthenticated(logger, review.Status?.Error ?? "token not authenticated");
            return ScrapeDecision.Unauthenticated;
        }

        var access = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(
            new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = user.Username,
                    Groups = user.Groups,
                    Uid = user.Uid,
                    Extra = user.Extra,
                    NonResourceAttributes = new V1NonResourceAttributes { Path = MetricsPath, Verb = "get" },
                },
            },
            cancellationToken: cancellationToken);
        if (access.Status?.Allowed == true)
        {
            return ScrapeDecision.Allowed;
        }

        LogForbidden(logger, user.Username, access.Status?.Reason ?? "");
        return ScrapeDecision.Forbidden;
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Metrics scrape refused: {Reason}")]
    private static partial void LogUnauthenticated(ILogger logger, string reason);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Metrics scrape by {User} forbidden: {Reason}")]
    private static partial void LogForbidden(ILogger logger, string user, string reason);
}
