using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using KubeMacPool.Core.Certificates;
using KubeMacPool.Manager.Certificates.Authority;
using KubeMacPool.Manager.Certificates.Rotation;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Manager.Tests.Certificates;

/// <summary>
/// The three objects the certificate manager keeps (CA Secret, serving Secret, caBundle of two webhooks) in memory,
/// driven by <see cref="RotationPlanner"/> on a fake clock, with the writes the rotator makes. Lets tests walk
/// through years of rotations in milliseconds and check, at every step, what the API server would see.
/// </summary>
internal sealed class SimulatedCluster(RotationIntervals intervals, FakeTimeProvider time)
{
    private readonly Dictionary<string, DateTimeOffset> _trustedSince = new(StringComparer.Ordinal);
    private string? _owed;
    private bool _firstPass = true;

    public static readonly ServingNames Names = ServingNames.For("kubemacpool-service", "kubemacpool-system",
        [new V1MutatingWebhook { ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = "https://127.0.0.1:8000/mutate-pods" } }]);

    public Dictionary<string, byte[]>? AuthoritySecret { get; set; }

    public Dictionary<string, byte[]>? ServingSecret { get; set; }

    public List<byte[]?> Bundles { get; } = [null, null];

    public int AuthorityRotations { get; private set; }

    public int ServingIssues { get; private set; }

    public List<string> Reasons { get; } = [];

    public ObservedCertificates Observe() => ObservedCertificates.From(AuthoritySecret, ServingSecret, Bundles, Names);

    /// <summary>One reconcile, as the rotator runs it. Returns the plan it followed.</summary>
    public RotationPlan Reconcile()
    {
        var observed = Observe();
        var now = time.GetUtcNow();
        DateTimeOffset? trusted = null;
        if (observed.Authority is { } current && Bundles.All(b => CertificateChecks.TryParsePem(b)?.Any(c => c.Thumbprint == current.Thumbprint) == true))
        {
            if (!_trustedSince.TryGetValue(current.Thumbprint, out var since))
            {
                since = _firstPass ? DateTimeOffset.MinValue : now;
                _trustedSince[current.Thumbprint] = since;
            }

            trusted = since;
        }

        _firstPass = false;
        var plan = RotationPlanner.Plan(observed, intervals, now, trusted, _owed);
        if (plan.RotateAuthorityBecause is { } reason)
        {
            var authority = CertificateFactory.CreateAuthority(now, intervals.CaRotate);
            IReadOnlyList<X509Certificate2> bundle = [authority.Certificate, .. plan.Bundle];
            SetBundles(bundle);
            _trustedSince[authority.Thumbprint] = now;
            AuthoritySecret = AuthorityData(bundle, authority);
            _owed = authority.Thumbprint;
            AuthorityRotations++;
            Reasons.Add("ca: " + reason);
            return plan;
        }

        if (plan.RewriteBundles)
        {
            SetBundles(plan.Bundle);
        }

        if (plan.RewriteAuthoritySecret)
        {
            AuthoritySecret = AuthorityData(plan.Bundle, observed.Authority!);
        }

        if (plan.Serving == ServingStep.Issue)
        {
            var issued = CertificateFactory.IssueServing(observed.Authority!, Names, now, intervals.CertRotate);
            ServingSecret = new Dictionary<string, byte[]>
            {
                ["tls.crt"] = Encoding.UTF8.GetBytes(issued.CertificatePem),
                ["tls.key"] = Encoding.UTF8.GetBytes(issued.PrivateKeyPem),
            };
            _owed = null;
            ServingIssues++;
            Reasons.Add("cert: " + plan.ServingBecause);
        }

        return plan;
    }

    /// <summary>
    /// Reconciles as the rotator's loop does (at once after a write, at the plan's time while waiting for trust) until
    /// the state is steady; returns the time of the next check. <paramref name="check"/> runs after every step.
    /// </summary>
    public DateTimeOffset Settle(Action? check = null)
    {
        for (var i = 0; i < 20; i++)
        {
            var plan = Reconcile();
            check?.Invoke();
            if (plan.IsSteady)
            {
                return plan.NextCheck;
            }

            if (plan.Serving == ServingStep.WaitForTrust)
            {
                time.SetUtcNow(plan.NextCheck);
            }
        }

        throw new InvalidOperationException("the planner did not settle: " + string.Join(" | ", Reasons.TakeLast(6)));
    }

    /// <summary>
    /// Lets time pass until <paramref name="end"/>, waking at every check the planner asks for (jumping over the
    /// resync wake-ups between deadlines, where nothing changes); <paramref name="check"/> runs at every step and
    /// just before every wake-up.
    /// </summary>
    public void RunUntil(DateTimeOffset end, Action? check = null)
    {
        while (time.GetUtcNow() < end)
        {
            var next = Settle(check);
            var observed = Observe();
            var deadline = new[]
            {
                observed.Authority!.Validity.RotationDeadline(intervals.CaOverlap),
                observed.Serving!.Validity.RotationDeadline(intervals.CertOverlap),
            }.Concat(observed.Authorities.Skip(1).Select(a => CertificateChecks.Validity(a).NotAfter)).Min();
            next = deadline > next ? deadline : next;
            if (next > end)
            {
                time.SetUtcNow(end);
                check?.Invoke();
                return;
            }

            time.SetUtcNow(next - TimeSpan.FromMilliseconds(1));
            check?.Invoke();
            time.SetUtcNow(next);
        }
    }

    /// <summary>
    /// What the API server checks on a call: the served certificate is valid now and chains to a CA in every caBundle
    /// that is valid now. Null when fine, else why not.
    /// </summary>
    public string? ApiServerWouldRefuse()
    {
        var observed = Observe();
        var now = time.GetUtcNow();
        if (observed.Serving is not { } serving)
        {
            return "no serving certificate";
        }

        if (serving.Validity.IsExpired(now) || serving.Validity.NotBefore > now)
        {
            return $"serving certificate not valid at {now:O}";
        }

        foreach (var bundle in observed.WebhookBundles!)
        {
            var trusted = bundle?.Where(ca => !CertificateChecks.Validity(ca).IsExpired(now) && CertificateChecks.IsSignedBy(serving.Certificate, ca));
            if (trusted?.Any() != true)
            {
                return $"no valid CA in caBundle signs the serving certificate at {now:O}";
            }
        }

        return CertificateChecks.Covers(serving.Certificate, Names) ? null : "serving certificate lacks a name";
    }

    private void SetBundles(IReadOnlyList<X509Certificate2> bundle)
    {
        for (var i = 0; i < Bundles.Count; i++)
        {
            Bundles[i] = Encoding.UTF8.GetBytes(CertificateChecks.ToPem(bundle));
        }
    }

    private static Dictionary<string, byte[]> AuthorityData(IReadOnlyList<X509Certificate2> bundle, KeyedCertificate authority) => new()
    {
        ["ca.crt"] = Encoding.UTF8.GetBytes(CertificateChecks.ToPem(bundle)),
        ["ca.key"] = Encoding.UTF8.GetBytes(authority.PrivateKeyPem),
    };
}
