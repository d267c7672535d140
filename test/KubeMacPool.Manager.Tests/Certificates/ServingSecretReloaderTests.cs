using System.Text;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Certificates;
using KubeMacPool.Manager.Certificates.Authority;
using KubeMacPool.Manager.Certificates.Serving;
using KubeMacPool.Manager.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Tests.Certificates;

/// <summary>The reloader shares the namespace's Secret informer: only the serving Secret may reach Kestrel.</summary>
public class ServingSecretReloaderTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly KeyedCertificate Authority = CertificateFactory.CreateAuthority(Now, TimeSpan.FromDays(365));

    private readonly ServingCertificate _serving = new();
    private readonly ServingSecretReloader _reloader;

    public ServingSecretReloaderTests()
    {
        _reloader = new ServingSecretReloader(
            _serving, Options.Create(new CertificateOptions()), NullLogger<ServingSecretReloader>.Instance);
    }

    [Fact]
    public async Task The_listed_serving_secret_is_served_and_other_secrets_are_ignored()
    {
        var other = Issue();
        var served = Issue();
        await _reloader.OnListedAsync([Secret("some-other-secret", other), Secret("kubemacpool-service", served)], CancellationToken.None);

        Assert.Equal(served.Thumbprint, _serving.Current?.Thumbprint);
    }

    [Fact]
    public async Task A_changed_serving_secret_is_served_at_once_and_a_deletion_keeps_the_last_certificate()
    {
        var first = Issue();
        var second = Issue();
        await _reloader.OnEventAsync(WatchEventType.Added, Secret("kubemacpool-service", first), CancellationToken.None);
        await _reloader.OnEventAsync(WatchEventType.Modified, Secret("kubemacpool-mutator-ca", Issue()), CancellationToken.None);
        Assert.Equal(first.Thumbprint, _serving.Current?.Thumbprint);

        await _reloader.OnEventAsync(WatchEventType.Modified, Secret("kubemacpool-service", second), CancellationToken.None);
        Assert.Equal(second.Thumbprint, _serving.Current?.Thumbprint);

        await _reloader.OnEventAsync(WatchEventType.Deleted, Secret("kubemacpool-service", first), CancellationToken.None);
        Assert.Equal(second.Thumbprint, _serving.Current?.Thumbprint);
    }

    private static KeyedCertificate Issue() =>
        CertificateFactory.IssueServing(Authority, ServingNames.For("kubemacpool-service", "kubemacpool-system"), Now, TimeSpan.FromDays(30));

    private static V1Secret Secret(string name, KeyedCertificate certificate) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "kubemacpool-system" },
        Type = "kubernetes.io/tls",
        Data = new Dictionary<string, byte[]>
        {
            ["tls.crt"] = Encoding.UTF8.GetBytes(certificate.CertificatePem),
            ["tls.key"] = Encoding.UTF8.GetBytes(certificate.PrivateKeyPem),
        },
    };
}
