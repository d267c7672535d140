using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Certificates;

/// <summary>What the certificate manager keeps, read from the cluster and from the service's TLS handshake.</summary>
public static class WebhookTls
{
    public const string CaSecret = "kubemacpool-mutator-ca";
    public const string ServingSecret = "kubemacpool-service";

    public static async Task<IReadOnlyList<string>> ReadBundlesAsync(IKubernetes client)
    {
        var configuration = await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(KubeMacPoolService.ConfigurationName);
        return configuration.Webhooks.Select(w => w.ClientConfig.CaBundle is { } b ? System.Text.Encoding.UTF8.GetString(b) : "").ToList();
    }

    public static async Task SetBundlesAsync(IKubernetes client, byte[]? bundle)
    {
        var configuration = await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(KubeMacPoolService.ConfigurationName);
        foreach (var webhook in configuration.Webhooks)
        {
            webhook.ClientConfig.CaBundle = bundle;
        }

        await client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(configuration, KubeMacPoolService.ConfigurationName);
    }

    public static Task<V1Secret?> ReadSecretAsync(IKubernetes client, string name) =>
        TestCluster.TryAsync(() => client.CoreV1.ReadNamespacedSecretAsync(name, KubeMacPoolService.Namespace));

    public static string Text(V1Secret secret, string key) => System.Text.Encoding.UTF8.GetString(secret.Data[key]);

    /// <summary>The certificate the service presents on a new TLS connection (no validation: we only look).</summary>
    public static async Task<X509Certificate2> ServedCertificateAsync(int port, CancellationToken cancellationToken = default)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        X509Certificate2? served = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            // Validation is the caller's (VerifiesAgainst, with the caBundle as the only trust); here we only look.
            served = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return served is not null;
        });
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }, cancellationToken);
        return served ?? throw new InvalidOperationException("no certificate was presented");
    }

    /// <summary>
    /// Whether <paramref name="served"/> verifies as the API server verifies it: trusted only through
    /// <paramref name="bundlePem"/>, valid now, for server authentication, naming 127.0.0.1.
    /// </summary>
    public static bool VerifiesAgainst(X509Certificate2 served, string bundlePem, out string problem)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(bundlePem);
        }
        catch (CryptographicException e)
        {
            problem = "caBundle does not parse: " + e.Message;
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        if (!chain.Build(served))
        {
            problem = string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
            return false;
        }

        if (!served.MatchesHostname("127.0.0.1"))
        {
            problem = "the certificate does not name 127.0.0.1";
            return false;
        }

        problem = "";
        return true;
    }

    /// <summary>
    /// Null when the certificate state is whole and steady: both Secrets hold matching pairs, the service serves the
    /// serving Secret's certificate, the current CA (first in ca.crt) signed it, and it verifies against every
    /// caBundle; otherwise what is not (yet) right.
    /// </summary>
    public static async Task<string?> ProblemAsync(IKubernetes client, int port)
    {
        var serving = await ReadSecretAsync(client, ServingSecret);
        var authority = await ReadSecretAsync(client, CaSecret);
        if (serving is null || authority is null)
        {
            return "a Secret is missing";
        }

        X509Certificate2 inSecret;
        X509Certificate2 currentCa;
        try
        {
            inSecret = X509Certificate2.CreateFromPem(Text(serving, "tls.crt"), Text(serving, "tls.key"));
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPem(Text(authority, "ca.crt"));
            currentCa = X509Certificate2.CreateFromPem(authorities[0].ExportCertificatePem(), Text(authority, "ca.key"));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or KeyNotFoundException)
        {
            return "a Secret does not hold a matching pair: " + e.Message;
        }

        using (inSecret)
        using (currentCa)
        using (var served = await ServedCertificateAsync(port))
        {
            if (served.Thumbprint != inSecret.Thumbprint)
            {
                return "the service does not serve the Secret's certificate yet";
            }

            if (!VerifiesAgainst(served, currentCa.ExportCertificatePem(), out var problem))
            {
                return "the current CA did not sign the served certificate: " + problem;
            }

            foreach (var bundle in await ReadBundlesAsync(client))
            {
                if (!VerifiesAgainst(served, bundle, out problem))
                {
                    return "the served certificate does not verify against a caBundle: " + problem;
                }
            }
        }

        return null;
    }

    /// <summary>A webhook call the API server could not make (TLS, connection) as opposed to an answer of the webhook.</summary>
    public static bool IsWebhookCallFailure(Exception e) =>
        e.Message.Contains("failed calling webhook", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("x509", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("tls:", StringComparison.OrdinalIgnoreCase);
}
