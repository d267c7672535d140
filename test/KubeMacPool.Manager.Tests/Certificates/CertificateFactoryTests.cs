using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using KubeMacPool.Manager.Certificates.Authority;

namespace KubeMacPool.Manager.Tests.Certificates;

public class CertificateFactoryTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static V1MutatingWebhook ByUrl(string url) =>
        new() { ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = url } };

    [Fact]
    public void The_ca_is_a_self_signed_p256_authority_named_after_the_webhook_configuration()
    {
        var ca = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(365));
        Assert.Equal("CN=kubemacpool-mutator", ca.Certificate.Subject);
        Assert.Equal(ca.Certificate.Subject, ca.Certificate.Issuer);
        Assert.True(CertificateChecks.IsAuthority(ca.Certificate));
        using var key = ca.Certificate.GetECDsaPublicKey();
        Assert.Equal(256, key!.KeySize);
        Assert.InRange((ca.Validity.NotAfter - ca.Validity.NotBefore - TimeSpan.FromDays(365) - TimeSpan.FromMinutes(1)).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void The_serving_certificate_chains_to_its_ca_for_server_auth_with_every_name()
    {
        var ca = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(365));
        var names = ServingNames.For("kubemacpool-service", "kubemacpool-system", [ByUrl("https://127.0.0.1:8443/mutate-pods")]);
        var serving = CertificateFactory.IssueServing(ca, names, Now, TimeSpan.FromDays(30));

        Assert.False(CertificateChecks.IsAuthority(serving.Certificate));
        Assert.True(CertificateChecks.IsSignedBy(serving.Certificate, ca.Certificate));
        Assert.True(CertificateChecks.Covers(serving.Certificate, names));
        var eku = serving.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Contains(eku.EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");

        // The same chain the API server builds: only the CA trusted, the leaf for server authentication.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        Assert.True(chain.Build(serving.Certificate), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public void A_certificate_of_another_ca_with_the_same_name_is_not_signed_by_this_one()
    {
        var first = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(1));
        var second = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(1));
        var names = ServingNames.For("svc", "ns");
        var serving = CertificateFactory.IssueServing(first, names, Now, TimeSpan.FromHours(1));
        Assert.Equal(first.Certificate.Subject, second.Certificate.Subject);
        Assert.False(CertificateChecks.IsSignedBy(serving.Certificate, second.Certificate));
    }

    [Fact]
    public void The_serving_certificate_never_outlives_its_ca()
    {
        var ca = CertificateFactory.CreateAuthority(Now, TimeSpan.FromHours(2));
        var serving = CertificateFactory.IssueServing(ca, ServingNames.For("svc", "ns"), Now, TimeSpan.FromDays(10));
        Assert.Equal(ca.Validity.NotAfter, serving.Validity.NotAfter);
    }

    [Fact]
    public void Pem_round_trips_and_a_foreign_key_is_refused()
    {
        var ca = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(1));
        var loaded = CertificateFactory.TryLoad(ca.CertificatePem, ca.PrivateKeyPem, out var error);
        Assert.Null(error);
        Assert.Equal(ca.Thumbprint, loaded!.Thumbprint);
        Assert.True(loaded.Certificate.HasPrivateKey);

        var other = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(1));
        Assert.Null(CertificateFactory.TryLoad(ca.CertificatePem, other.PrivateKeyPem, out error));
        Assert.NotNull(error);
        Assert.Null(CertificateFactory.TryLoad("garbage", ca.PrivateKeyPem, out error));
        Assert.Equal("no PEM certificate", error);
        Assert.Null(CertificateFactory.TryLoad(ca.CertificatePem, "", out _));
    }

    [Fact]
    public void A_bundle_parses_in_order_and_garbage_is_not_a_bundle()
    {
        var a = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(1));
        var b = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(1));
        var pem = System.Text.Encoding.UTF8.GetBytes(CertificateChecks.ToPem([a.Certificate, b.Certificate]));
        Assert.Equal([a.Thumbprint, b.Thumbprint], CertificateChecks.TryParsePem(pem)!.Select(c => c.Thumbprint));
        Assert.Null(CertificateChecks.TryParsePem(null));
        Assert.Null(CertificateChecks.TryParsePem([]));
        Assert.Null(CertificateChecks.TryParsePem("not a certificate"u8.ToArray()));
        Assert.Null(CertificateChecks.TryParsePem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"u8.ToArray()));
    }

    [Fact]
    public void Names_are_the_service_ones_plus_the_hosts_of_url_webhooks()
    {
        var names = ServingNames.For("kubemacpool-service", "kubemacpool-system",
        [
            ByUrl("https://127.0.0.1:8000/mutate-pods"),
            ByUrl("https://127.0.0.1:8000/mutate-virtualmachines"),
            ByUrl("https://[::1]:8000/x"),
            ByUrl("https://webhook.example:443/x"),
            ByUrl("not a url"),
            new V1MutatingWebhook { ClientConfig = new Admissionregistrationv1WebhookClientConfig { Service = new Admissionregistrationv1ServiceReference { Name = "kubemacpool-service", NamespaceProperty = "kubemacpool-system" } } },
        ]);
        Assert.Equal(
            ["kubemacpool-service", "kubemacpool-service.kubemacpool-system", "kubemacpool-service.kubemacpool-system.svc",
             "kubemacpool-service.kubemacpool-system.svc.cluster.local", "webhook.example"],
            names.DnsNames);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.IpAddresses);
        Assert.Equal("kubemacpool-service.kubemacpool-system.svc", names.CommonName);
        Assert.Empty(ServingNames.For("s", "n").IpAddresses);
    }
}
