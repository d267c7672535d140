using System.Security.Cryptography.X509Certificates;
using KubeMacPool.Manager.Certificates.Authority;

namespace KubeMacPool.Manager.Certificates.Rotation;

/// <summary>
/// What the cluster holds right now, parsed: the CA Secret (<c>ca.crt</c> may list older CAs after the current
/// one), the serving Secret, and the caBundle of every webhook (null when the configuration does not exist).
/// </summary>
internal sealed record ObservedCertificates(
    IReadOnlyList<X509Certificate2> Authorities,
    KeyedCertificate? Authority,
    string? AuthorityProblem,
    KeyedCertificate? Serving,
    string? ServingProblem,
    IReadOnlyList<IReadOnlyList<X509Certificate2>?>? WebhookBundles,
    ServingNames Names)
{
    public const string CertificateKey = "ca.crt";
    public const string PrivateKeyKey = "ca.key";
    public const string TlsCertificateKey = "tls.crt";
    public const string TlsPrivateKeyKey = "tls.key";

    public static ObservedCertificates From(
        IDictionary<string, byte[]>? authoritySecret,
        IDictionary<string, byte[]>? servingSecret,
        IReadOnlyList<byte[]?>? webhookBundles,
        ServingNames names)
    {
        IReadOnlyList<X509Certificate2> authorities = [];
        KeyedCertificate? authority = null;
        string? authorityProblem;
        if (authoritySecret is null)
        {
            authorityProblem = "the CA Secret does not exist";
        }
        else
        {
            authorities = CertificateChecks.TryParsePem(Value(authoritySecret, CertificateKey)) ?? [];
            authority = CertificateFactory.TryLoad(Text(authoritySecret, CertificateKey), Text(authoritySecret, PrivateKeyKey), out var error);
            authorityProblem = authority is null ? $"the CA Secret does not hold a usable ca.crt/ca.key pair ({error})" : null;
        }

        KeyedCertificate? serving = null;
        string? servingProblem;
        if (servingSecret is null)
        {
            servingProblem = "the serving Secret does not exist";
        }
        else
        {
            serving = CertificateFactory.TryLoad(Text(servingSecret, TlsCertificateKey), Text(servingSecret, TlsPrivateKeyKey), out var error);
            servingProblem = serving is null ? $"the serving Secret does not hold a usable tls.crt/tls.key pair ({error})" : null;
        }

        var bundles = webhookBundles?.Select(CertificateChecks.TryParsePem).ToList();
        return new ObservedCertificates(authorities, authority, authorityProblem, serving, servingProblem, bundles, names);
    }

    private static byte[]? Value(IDictionary<string, byte[]> data, string key) => data.TryGetValue(key, out var value) ? value : null;

    private static string Text(IDictionary<string, byte[]> data, string key) =>
        Value(data, key) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "";
}
