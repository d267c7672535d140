using System.Security.Cryptography.X509Certificates;
using KubeMacPool.Core.Certificates;

namespace KubeMacPool.Manager.Certificates.Authority;

/// <summary>A certificate with its private key, and both as the PEM text a Secret stores.</summary>
internal sealed record KeyedCertificate(X509Certificate2 Certificate, string CertificatePem, string PrivateKeyPem)
{
    public ValidityWindow Validity => CertificateChecks.Validity(Certificate);

    public string Thumbprint => Certificate.Thumbprint;
}
