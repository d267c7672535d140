using System.Security.Cryptography.X509Certificates;

namespace KubeMacPool.Manager.Certificates;

internal static class PemCertificates
{
    /// <summary>
    /// Builds a certificate with its private key from PEM (the first certificate of tls.crt is the leaf).
    /// Re-imported through PKCS#12 because SslStream on Linux needs a key it can export to OpenSSL.
    /// </summary>
    public static X509Certificate2 LoadServingCertificate(string certificatePem, string keyPem)
    {
        using var pem = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
