using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMacPool.Core.Certificates;

namespace KubeMacPool.Manager.Certificates.Authority;

/// <summary>Reading and checking certificates: PEM lists, validity, issuer, names.</summary>
internal static class CertificateChecks
{
    public static ValidityWindow Validity(X509Certificate2 certificate) =>
        new(new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));

    /// <summary>Every certificate in a PEM text, in order. Throws <see cref="CryptographicException"/> on a broken block.</summary>
    public static IReadOnlyList<X509Certificate2> ParsePem(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return [.. collection];
    }

    /// <summary>Every certificate in a PEM text, or null when it holds none or a broken one (a corrupted caBundle).</summary>
    public static IReadOnlyList<X509Certificate2>? TryParsePem(byte[]? pem)
    {
        if (pem is null || pem.Length == 0)
        {
            return null;
        }

        try
        {
            var certificates = ParsePem(System.Text.Encoding.UTF8.GetString(pem));
            return certificates.Count == 0 ? null : certificates;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static string ToPem(IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    public static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    /// <summary>Whether <paramref name="leaf"/> carries a valid signature of <paramref name="authority"/> (validity dates aside).</summary>
    public static bool IsSignedBy(X509Certificate2 leaf, X509Certificate2 authority)
    {
        if (!leaf.IssuerName.RawData.AsSpan().SequenceEqual(authority.SubjectName.RawData))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(leaf)
            && chain.ChainElements.Count == 2
            && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(authority.RawData);
    }

    /// <summary>Whether the certificate's subject alternative names include every name in <paramref name="names"/>.</summary>
    public static bool Covers(X509Certificate2 certificate, ServingNames names)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return false;
        }

        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = san.EnumerateIPAddresses().ToHashSet();
        return names.DnsNames.All(dns.Contains) && names.IpAddresses.All(ips.Contains);
    }

    /// <summary>Same certificate (DER equality), for comparing bundles.</summary>
    public static bool SameList(IReadOnlyList<X509Certificate2> a, IReadOnlyList<X509Certificate2> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.RawData.AsSpan().SequenceEqual(p.Second.RawData));
}
