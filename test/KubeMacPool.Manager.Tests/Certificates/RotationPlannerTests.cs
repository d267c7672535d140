using System.Text;
using KubeMacPool.Core.Certificates;
using KubeMacPool.Manager.Certificates.Authority;
using KubeMacPool.Manager.Certificates.Rotation;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Manager.Tests.Certificates;

public class RotationPlannerTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static (SimulatedCluster Cluster, FakeTimeProvider Time) Fresh(RotationIntervals? intervals = null)
    {
        var time = new FakeTimeProvider(Start);
        var cluster = new SimulatedCluster(intervals ?? RotationIntervals.Default, time);
        cluster.Settle();
        return (cluster, time);
    }

    private static string CurrentCa(SimulatedCluster cluster) => cluster.Observe().Authority!.Thumbprint;

    private static List<string> BundleThumbprints(SimulatedCluster cluster, int webhook = 0) =>
        CertificateChecks.TryParsePem(cluster.Bundles[webhook])!.Select(c => c.Thumbprint).ToList();

    [Fact]
    public void From_nothing_a_ca_then_after_the_trust_delay_a_serving_certificate()
    {
        var time = new FakeTimeProvider(Start);
        var cluster = new SimulatedCluster(RotationIntervals.Default, time);

        var first = cluster.Reconcile();
        Assert.Contains("CA Secret does not exist", first.RotateAuthorityBecause, StringComparison.Ordinal);
        Assert.Null(cluster.ServingSecret);
        Assert.Equal([CurrentCa(cluster)], BundleThumbprints(cluster));

        var waiting = cluster.Reconcile();
        Assert.Equal(ServingStep.WaitForTrust, waiting.Serving);
        Assert.Equal(Start + RotationPlanner.TrustPropagationDelay, waiting.NextCheck);

        time.SetUtcNow(waiting.NextCheck);
        Assert.Equal(ServingStep.Issue, cluster.Reconcile().Serving);
        Assert.Null(cluster.ApiServerWouldRefuse());
        Assert.True(cluster.Reconcile().IsSteady);
    }

    [Fact]
    public void The_serving_certificate_chains_to_the_ca_and_carries_the_service_and_url_names()
    {
        var (cluster, _) = Fresh();
        var observed = cluster.Observe();
        Assert.True(CertificateChecks.IsSignedBy(observed.Serving!.Certificate, observed.Authority!.Certificate));
        Assert.True(CertificateChecks.Covers(observed.Serving.Certificate, SimulatedCluster.Names));
        Assert.Contains("kubemacpool-service.kubemacpool-system.svc.cluster.local", SimulatedCluster.Names.DnsNames);
        Assert.Contains(System.Net.IPAddress.Loopback, SimulatedCluster.Names.IpAddresses);
    }

    [Fact]
    public void Steady_state_sleeps_until_the_resync_or_the_next_deadline()
    {
        var (cluster, time) = Fresh();
        var plan = cluster.Reconcile();
        Assert.True(plan.IsSteady);
        Assert.Equal(time.GetUtcNow() + RotationPlanner.ResyncInterval, plan.NextCheck);

        var (shortLived, shortTime) = Fresh(new RotationIntervals(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(4)));
        var serving = shortLived.Observe().Serving!.Validity;
        Assert.Equal(serving.RotationDeadline(TimeSpan.FromSeconds(4)), shortLived.Reconcile().NextCheck);
        Assert.True(shortLived.Reconcile().NextCheck > shortTime.GetUtcNow());
    }

    [Fact]
    public void At_the_serving_deadline_a_new_certificate_from_the_same_ca_and_the_bundle_is_untouched()
    {
        var (cluster, time) = Fresh();
        var ca = CurrentCa(cluster);
        var bundle = BundleThumbprints(cluster);
        var serving = cluster.Observe().Serving!;
        time.SetUtcNow(serving.Validity.RotationDeadline(RotationIntervals.Default.CertOverlap) - TimeSpan.FromSeconds(1));
        Assert.True(cluster.Reconcile().IsSteady);

        time.Advance(TimeSpan.FromSeconds(1));
        var plan = cluster.Reconcile();
        Assert.Equal(ServingStep.Issue, plan.Serving);
        Assert.Contains("rotation deadline", plan.ServingBecause, StringComparison.Ordinal);
        Assert.NotEqual(serving.Thumbprint, cluster.Observe().Serving!.Thumbprint);
        Assert.Equal(ca, CurrentCa(cluster));
        Assert.Equal(bundle, BundleThumbprints(cluster));
    }

    [Fact]
    public void At_the_ca_deadline_the_new_ca_is_prepended_the_old_kept_until_it_expires_then_pruned()
    {
        var (cluster, time) = Fresh();
        var oldCa = cluster.Observe().Authority!;
        cluster.RunUntil(oldCa.Validity.RotationDeadline(RotationIntervals.Default.CaOverlap) - TimeSpan.FromSeconds(1));
        time.SetUtcNow(oldCa.Validity.RotationDeadline(RotationIntervals.Default.CaOverlap));
        var oldServing = cluster.Observe().Serving!.Thumbprint;

        var plan = cluster.Reconcile();
        Assert.Contains("CA reached its rotation deadline", plan.RotateAuthorityBecause, StringComparison.Ordinal);
        var newCa = CurrentCa(cluster);
        Assert.Equal([newCa, oldCa.Thumbprint], BundleThumbprints(cluster));
        Assert.Equal([newCa, oldCa.Thumbprint], BundleThumbprints(cluster, 1));

        // The old serving certificate stays until the API server had time to learn the new CA.
        Assert.Equal(ServingStep.WaitForTrust, cluster.Reconcile().Serving);
        Assert.Equal(oldServing, cluster.Observe().Serving!.Thumbprint);
        Assert.Null(cluster.ApiServerWouldRefuse());
        cluster.Settle();
        var renewed = cluster.Observe();
        Assert.True(CertificateChecks.IsSignedBy(renewed.Serving!.Certificate, renewed.Authority!.Certificate));
        Assert.Contains(cluster.Reasons, r => r.Contains("signed by an older CA", StringComparison.Ordinal));

        // Still both until the old CA expires; then the old one is dropped from caBundle and from the CA Secret.
        cluster.RunUntil(oldCa.Validity.NotAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(2, BundleThumbprints(cluster).Count);
        cluster.RunUntil(oldCa.Validity.NotAfter);
        cluster.Settle();
        Assert.Equal([newCa], BundleThumbprints(cluster));
        Assert.Single(cluster.Observe().Authorities);
    }

    [Fact]
    public void Three_years_of_default_rotations_never_leave_the_api_server_unable_to_verify()
    {
        var (cluster, time) = Fresh();
        var end = Start.AddYears(3);
        var checks = 0;
        void Verify()
        {
            checks++;
            Assert.Null(cluster.ApiServerWouldRefuse());
        }

        cluster.RunUntil(end, Verify);

        Assert.Equal(1 + 3, cluster.AuthorityRotations);
        Assert.InRange(cluster.ServingIssues, 3 * 3, 3 * 4);
        Assert.True(checks > 20);
    }

    [Fact]
    public void A_blank_or_corrupted_ca_bundle_means_a_new_ca_and_the_old_one_kept_beside_it()
    {
        var (cluster, _) = Fresh();
        var oldCa = CurrentCa(cluster);
        cluster.Bundles[0] = [];
        cluster.Bundles[1] = Encoding.UTF8.GetBytes("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");

        var plan = cluster.Reconcile();
        Assert.Contains("caBundle does not hold the current CA", plan.RotateAuthorityBecause, StringComparison.Ordinal);
        Assert.Equal([CurrentCa(cluster), oldCa], BundleThumbprints(cluster));

        // The certificate still being served keeps working at once: its CA is back in the bundle.
        Assert.Null(cluster.ApiServerWouldRefuse());
        cluster.Settle();
        Assert.Null(cluster.ApiServerWouldRefuse());
        Assert.Equal(2, cluster.AuthorityRotations);
    }

    [Fact]
    public void A_deleted_serving_secret_means_a_new_ca_and_then_one_serving_certificate_not_a_loop()
    {
        var (cluster, _) = Fresh();
        var oldCa = CurrentCa(cluster);
        cluster.ServingSecret = null;

        var plan = cluster.Reconcile();
        Assert.Contains("serving Secret does not exist", plan.RotateAuthorityBecause, StringComparison.Ordinal);
        cluster.Settle();
        Assert.Equal(2, cluster.AuthorityRotations);
        Assert.Equal(2, cluster.ServingIssues);
        Assert.NotEqual(oldCa, CurrentCa(cluster));
        Assert.Null(cluster.ApiServerWouldRefuse());
    }

    [Fact]
    public void A_serving_key_that_does_not_match_its_certificate_is_healed()
    {
        var (cluster, _) = Fresh();
        var other = CertificateFactory.CreateAuthority(Start, TimeSpan.FromDays(1));
        cluster.ServingSecret!["tls.key"] = Encoding.UTF8.GetBytes(other.PrivateKeyPem);
        var observed = cluster.Observe();
        Assert.Null(observed.Serving);
        Assert.Contains("usable tls.crt/tls.key pair", observed.ServingProblem, StringComparison.Ordinal);

        cluster.Settle();
        var healed = cluster.Observe();
        Assert.NotNull(healed.Serving);
        Assert.Null(cluster.ApiServerWouldRefuse());
    }

    [Fact]
    public void A_deleted_ca_secret_means_a_new_ca_while_the_old_stays_trusted_from_the_bundle()
    {
        var (cluster, _) = Fresh();
        var oldCa = CurrentCa(cluster);
        cluster.AuthoritySecret = null;
        cluster.Reconcile();
        Assert.Equal([CurrentCa(cluster), oldCa], BundleThumbprints(cluster));
        Assert.Null(cluster.ApiServerWouldRefuse());
        cluster.Settle();
        Assert.Null(cluster.ApiServerWouldRefuse());
    }

    [Fact]
    public void A_missing_name_means_a_new_serving_certificate_from_the_same_ca()
    {
        var (cluster, _) = Fresh();
        var ca = CurrentCa(cluster);
        var narrow = CertificateFactory.IssueServing(cluster.Observe().Authority!, ServingNames.For("kubemacpool-service", "kubemacpool-system"), Start, TimeSpan.FromDays(10));
        cluster.ServingSecret = new Dictionary<string, byte[]>
        {
            ["tls.crt"] = Encoding.UTF8.GetBytes(narrow.CertificatePem),
            ["tls.key"] = Encoding.UTF8.GetBytes(narrow.PrivateKeyPem),
        };
        var plan = cluster.Reconcile();
        Assert.Null(plan.RotateAuthorityBecause);
        Assert.Equal("the serving certificate lacks a required name", plan.ServingBecause);
        Assert.Equal(ca, CurrentCa(cluster));
        Assert.True(CertificateChecks.Covers(cluster.Observe().Serving!.Certificate, SimulatedCluster.Names));
    }

    [Fact]
    public void A_ca_too_close_to_expiry_to_sign_a_useful_certificate_is_rotated_first()
    {
        // Cert overlap longer than CA overlap: the last serving certificate under a CA would be due at once.
        var intervals = new RotationIntervals(TimeSpan.FromHours(100), TimeSpan.FromHours(1), TimeSpan.FromHours(50), TimeSpan.FromHours(10));
        var (cluster, time) = Fresh(intervals);
        var ca = cluster.Observe().Authority!;
        cluster.RunUntil(ca.Validity.NotAfter - TimeSpan.FromMinutes(30), () => Assert.Null(cluster.ApiServerWouldRefuse()));
        Assert.Contains(cluster.Reasons, r => r.Contains("too soon to sign a serving certificate", StringComparison.Ordinal));
        Assert.NotEqual(ca.Thumbprint, CurrentCa(cluster));
    }
}
