using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>
/// A throw-away CA (ECDSA P-256, BCL <see cref="CertificateRequest"/>) that issues serving certificates for in-test
/// webhooks. The API server trusts them through the webhook's <c>caBundle</c> (<see cref="CertificatePem"/>).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key;

    private TestCertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    /// <summary>The CA certificate (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM: what goes into <c>caBundle</c>.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    public static TestCertificateAuthority Create(string commonName = "kubemacpool-functest-ca", TimeSpan? validity = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + (validity ?? TimeSpan.FromDays(1)));
        return new TestCertificateAuthority(certificate, key);
    }

    /// <summary>
    /// A serving certificate (EKU serverAuth) signed by this CA, with the private key attached, ready for Kestrel.
    /// Defaults: DNS <c>localhost</c> and IP <c>127.0.0.1</c>; add <c>svc.ns.svc</c> names for a Service-based webhook.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(
        IEnumerable<string>? dnsNames = null,
        IEnumerable<IPAddress>? ipAddresses = null,
        TimeSpan? validity = null)
    {
        var dns = (dnsNames ?? ["localhost"]).ToList();
        var ips = (ipAddresses ?? [IPAddress.Loopback]).ToList();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = dns.FirstOrDefault() ?? ips.FirstOrDefault()?.ToString() ?? "kubemacpool-functest";
        var request = new CertificateRequest(new X500DistinguishedName($"CN={subject}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dns)
        {
            san.AddDnsName(name);
        }

        foreach (var ip in ips)
        {
            san.AddIpAddress(ip);
        }

        request.CertificateExtensions.Add(san.Build(critical: false));

        var now = DateTimeOffset.UtcNow;
        var notAfter = now + (validity ?? TimeSpan.FromHours(12));
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // A PKCS#12 round trip gives a certificate whose key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>PEM of a certificate (e.g. a serving certificate to put in a Secret).</summary>
    public static string ExportCertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    /// <summary>PKCS#8 PEM of an ECDSA certificate's private key.</summary>
    public static string ExportPrivateKeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException($"{certificate.Subject} has no ECDSA private key.");
        return key.ExportPkcs8PrivateKeyPem();
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
