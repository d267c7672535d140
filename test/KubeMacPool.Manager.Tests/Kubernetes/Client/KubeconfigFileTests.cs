using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Exceptions;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Tests.Kubernetes.Client;

public sealed class KubeconfigFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kmp-kubeconfig-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_current_context_is_read_with_paths_relative_to_the_file()
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "pki"));
        using var key = ECDsa.Create();
        using var ca = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        File.WriteAllText(Path.Combine(_dir.FullName, "pki", "ca.crt"), ca.ExportCertificatePem());
        var path = Write("""
            apiVersion: v1
            kind: Config
            preferences: {}
            clusters:
            - name: other
              cluster: {server: "https://10.0.0.1:6443"}
            - name: local
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority: pki/ca.crt
            users:
            - name: admin
              user:
                client-certificate: pki/admin.crt
                client-key: pki/admin.key
            contexts:
            - name: local
              context: {cluster: local, user: admin, namespace: team-a}
            current-context: local
            extensions: []
            """);

        var config = KubeconfigFile.Load(path);

        Assert.Equal("https://127.0.0.1:6443", config.Host);
        Assert.Equal("local", config.CurrentContext);
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal(Path.Combine(_dir.FullName, "pki", "admin.crt"), config.ClientCertificateFilePath);
        Assert.Equal(Path.Combine(_dir.FullName, "pki", "admin.key"), config.ClientKeyFilePath);
        Assert.Equal(ca.Thumbprint, Assert.Single(config.SslCaCerts!).Thumbprint);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("clusters: [unclosed", "is not valid YAML")]
    [InlineData("current-context: nowhere", "nowhere")]
    public void A_bad_file_is_a_kubeconfig_error_that_names_the_problem(string text, string expected)
    {
        var error = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(Write(text)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir.FullName, "kubeconfig");
        File.WriteAllText(path, text);
        return path;
    }
}
