using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMacPool.Core.Certificates;

namespace KubeMacPool.Manager.Certificates.Authority;

/// <summary>
/// Makes the self-signed CA and the serving certificates it signs, with the BCL (<see cref="CertificateRequest"/>,
/// ECDSA P-256: small keys, fast handshakes, accepted by every supported API server).
/// </summary>
internal static class CertificateFactory
{
    /// <summary>The CA's common name, as upstream's (the webhook configuration's name).</summary>
    public const string AuthorityCommonName = WellKnown.MutatingWebhookConfiguration;

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    public static KeyedCertificate CreateAuthority(DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + AuthorityCommonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var window = ValidityWindow.Issue(now, lifetime);
        using var certificate = request.CreateSelfSigned(window.NotBefore, window.NotAfter);
        return Keyed(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A serving certificate for <paramref name="names"/> (EKU serverAuth), signed by <paramref name="authority"/>.</summary>
    public static KeyedCertificate IssueServing(KeyedCertificate authority, ServingNames names, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + names.CommonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority.Certificate, true, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in names.DnsNames)
        {
            san.AddDnsName(dns);
        }

        foreach (var ip in names.IpAddresses)
        {
            san.AddIpAddress(ip);
        }

        request.CertificateExtensions.Add(san.Build(critical: false));
        var window = ValidityWindow.Issue(now, lifetime, authority.Validity);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var certificate = request.Create(authority.Certificate, window.NotBefore, window.NotAfter, serial);
        return Keyed(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// The certificate of <paramref name="certificatePem"/> (the first, when there are several) joined with its
    /// key; null when either does not parse or they do not belong together.
    /// </summary>
    public static KeyedCertificate? TryLoad(string certificatePem, string privateKeyPem, out string? error)
    {
        error = null;
        try
        {
            var first = CertificateChecks.ParsePem(certificatePem);
            if (first.Count == 0)
            {
                error = "no PEM certificate";
                return null;
            }

            return Keyed(first[0].ExportCertificatePem(), privateKeyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Joins certificate and key; throws when the key is not the certificate's.</summary>
    private static KeyedCertificate Keyed(string certificatePem, string privateKeyPem)
    {
        using var pem = X509Certificate2.CreateFromPem(certificatePem, privateKeyPem);
        // A PKCS#12 round trip gives a key that SslStream and CertificateRequest can use on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        return new KeyedCertificate(certificate, certificatePem, privateKeyPem);
    }
}
