using System.Security.Cryptography.X509Certificates;
using KubeMacPool.Core.Certificates;
using KubeMacPool.Manager.Certificates.Authority;

namespace KubeMacPool.Manager.Certificates.Rotation;

/// <summary>
/// Decides, from what the cluster holds and the time, what the certificate manager does next (pure: no I/O, the
/// clock passed in). The policy, as upstream's:
/// <list type="bullet">
/// <item>A new CA ("rotate all") when the CA is missing, broken or at its deadline (NotAfter − CA overlap), when a
/// webhook's caBundle lacks it (blanked, corrupted, replaced), or when the serving certificate is missing, broken
/// or signed by no known CA. The new CA is prepended to caBundle; the older ones stay until they expire.</item>
/// <item>A new serving certificate when it is signed by an older CA, reaches its deadline (NotAfter − cert overlap)
/// or lacks a required name — but only once the CA that signs it has been in every caBundle for
/// <see cref="TrustPropagationDelay"/>, so the API server never meets a certificate it cannot verify yet.</item>
/// <item>Expired CAs are dropped from caBundle and from the CA Secret.</item>
/// </list>
/// </summary>
internal static class RotationPlanner
{
    /// <summary>How long the API server gets to pick up a caBundle change before a certificate depends on it.</summary>
    public static TimeSpan TrustPropagationDelay { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest sleep between checks, so a missed watch event is noticed anyway.</summary>
    public static TimeSpan ResyncInterval { get; } = TimeSpan.FromMinutes(1);

    /// <param name="observed">The cluster's state.</param>
    /// <param name="intervals">Lifetimes and overlaps.</param>
    /// <param name="now">The time.</param>
    /// <param name="currentTrustedSince">Since when every caBundle holds the current CA (MinValue: since before this process).</param>
    /// <param name="owedServingAuthority">Thumbprint of a CA made by a rotation whose serving certificate is still to come.</param>
    public static RotationPlan Plan(
        ObservedCertificates observed,
        RotationIntervals intervals,
        DateTimeOffset now,
        DateTimeOffset? currentTrustedSince,
        string? owedServingAuthority)
    {
        var current = observed.Authority;
        var rotate = AuthorityProblem(observed, intervals, now);
        string? servingReason = null;
        if (rotate is null)
        {
            var owed = string.Equals(owedServingAuthority, current!.Thumbprint, StringComparison.Ordinal);
            var invalid = ServingInvalidity(observed);
            if (invalid is not null && !owed)
            {
                rotate = invalid;
            }
            else
            {
                servingReason = invalid ?? ServingRenewal(observed, current, intervals, now);
                if (servingReason is not null && current.Validity.NotAfter - now <= intervals.CertOverlap)
                {
                    rotate = "the CA expires within CERT_OVERLAP_INTERVAL, too soon to sign a serving certificate";
                }
            }
        }

        if (rotate is not null)
        {
            var retained = Retained(current?.Certificate, observed, now, includeCurrent: true);
            return new RotationPlan(rotate, ServingStep.None, null, retained, observed.WebhookBundles is not null, true, now);
        }

        var bundle = Retained(current!.Certificate, observed, now, includeCurrent: false);
        var rewriteBundles = observed.WebhookBundles?.Any(b => b is null || !CertificateChecks.SameList(b, bundle)) == true;
        var rewriteSecret = !CertificateChecks.SameList(observed.Authorities, bundle);
        var next = Earliest(
            now + ResyncInterval,
            current.Validity.RotationDeadline(intervals.CaOverlap),
            servingReason is null ? observed.Serving?.Validity.RotationDeadline(intervals.CertOverlap) : null,
            bundle.Count > 1 ? bundle.Skip(1).Min(c => CertificateChecks.Validity(c).NotAfter) : null);

        var step = ServingStep.None;
        if (servingReason is not null)
        {
            var trustedAt = (currentTrustedSince ?? now) == DateTimeOffset.MinValue
                ? DateTimeOffset.MinValue
                : (currentTrustedSince ?? now) + TrustPropagationDelay;
            step = now >= trustedAt ? ServingStep.Issue : ServingStep.WaitForTrust;
            next = step == ServingStep.Issue ? now : Earliest(next, trustedAt);
        }

        return new RotationPlan(null, step, servingReason, bundle, rewriteBundles, rewriteSecret, next < now ? now : next);
    }

    private static string? AuthorityProblem(ObservedCertificates observed, RotationIntervals intervals, DateTimeOffset now)
    {
        if (observed.Authority is not { } current)
        {
            return observed.AuthorityProblem ?? "the CA Secret is not usable";
        }

        if (!CertificateChecks.IsAuthority(current.Certificate))
        {
            return "ca.crt is not a CA certificate";
        }

        if (current.Validity.IsDue(now, intervals.CaOverlap))
        {
            return $"the CA reached its rotation deadline ({current.Validity.RotationDeadline(intervals.CaOverlap):O})";
        }

        if (observed.WebhookBundles?.Any(b => b is null || !b.Any(c => c.RawData.AsSpan().SequenceEqual(current.Certificate.RawData))) == true)
        {
            return "a webhook's caBundle does not hold the current CA (blank, corrupted or replaced)";
        }

        return null;
    }

    /// <summary>Why the serving certificate cannot be used at all, or null.</summary>
    private static string? ServingInvalidity(ObservedCertificates observed)
    {
        if (observed.Serving is not { } serving)
        {
            return observed.ServingProblem ?? "the serving Secret is not usable";
        }

        return observed.Authorities.Any(a => CertificateChecks.IsSignedBy(serving.Certificate, a))
            ? null
            : "the serving certificate is not signed by a known CA";
    }

    /// <summary>Why a valid serving certificate should be replaced, or null.</summary>
    private static string? ServingRenewal(ObservedCertificates observed, KeyedCertificate current, RotationIntervals intervals, DateTimeOffset now)
    {
        var serving = observed.Serving!;
        if (!CertificateChecks.IsSignedBy(serving.Certificate, current.Certificate))
        {
            return "the serving certificate is signed by an older CA";
        }

        if (serving.Validity.IsDue(now, intervals.CertOverlap))
        {
            return $"the serving certificate reached its rotation deadline ({serving.Validity.RotationDeadline(intervals.CertOverlap):O})";
        }

        return CertificateChecks.Covers(serving.Certificate, observed.Names)
            ? null
            : "the serving certificate lacks a required name";
    }

    /// <summary>
    /// The CA list to keep: <paramref name="current"/> first (unless the current one is being replaced, then it is
    /// kept among the older ones), then the older CAs of the Secret and of the caBundles that are still valid.
    /// </summary>
    private static IReadOnlyList<X509Certificate2> Retained(X509Certificate2? current, ObservedCertificates observed, DateTimeOffset now, bool includeCurrent)
    {
        var candidates = observed.Authorities
            .Concat(observed.WebhookBundles?.SelectMany(b => b ?? []) ?? [])
            .Where(c => CertificateChecks.IsAuthority(c) && c.SubjectName.Name == "CN=" + CertificateFactory.AuthorityCommonName)
            .ToList();
        if (includeCurrent)
        {
            // The head of the list is the new CA the executor adds; these are everything behind it.
            var kept = candidates.Where(c => !CertificateChecks.Validity(c).IsExpired(now))
                .GroupBy(c => c.Thumbprint, StringComparer.Ordinal).Select(g => g.First())
                .OrderByDescending(c => CertificateChecks.Validity(c).NotBefore).ThenBy(c => c.Thumbprint, StringComparer.Ordinal)
                .Take(CertificateBundle.MaxCertificates - 1)
                .ToList();
            return kept;
        }

        return CertificateBundle.Compose(
            current!, candidates, CertificateChecks.Validity, c => c.Thumbprint, now);
    }

    private static DateTimeOffset Earliest(DateTimeOffset first, params DateTimeOffset?[] others) =>
        others.Where(o => o is not null).Select(o => o!.Value).Append(first).Min();
}
