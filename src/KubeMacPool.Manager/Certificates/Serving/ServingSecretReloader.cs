using k8s;
using k8s.Models;
using KubeMacPool.Manager.Certificates.Authority;
using KubeMacPool.Manager.Certificates.Rotation;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Informers;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Certificates.Serving;

/// <summary>
/// Hot reload: every version of the serving Secret the shared Secret informer delivers goes straight into Kestrel's
/// certificate selector (<see cref="ServingCertificate"/>), so a new certificate is served from the next handshake,
/// without a restart or the kubelet's delay for mounted Secrets. Other Secrets of the namespace are ignored. A Secret
/// that does not hold a usable pair (deleted, key mismatch) is ignored too: the previous certificate keeps serving
/// while the rotator repairs the Secret.
/// </summary>
internal sealed partial class ServingSecretReloader(
    ServingCertificate serving, IOptions<CertificateOptions> options, ILogger<ServingSecretReloader> logger)
    : IResourceEventHandler<V1Secret>
{
    public ValueTask OnListedAsync(IReadOnlyList<V1Secret> items, CancellationToken cancellationToken)
    {
        foreach (var secret in items.Where(IsServingSecret))
        {
            Load(secret);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, V1Secret item, CancellationToken cancellationToken)
    {
        if ((type is WatchEventType.Added or WatchEventType.Modified) && IsServingSecret(item))
        {
            Load(item);
        }

        return ValueTask.CompletedTask;
    }

    private bool IsServingSecret(V1Secret secret) =>
        string.Equals(secret.Metadata?.Name, options.Value.ServingSecretName, StringComparison.Ordinal);

    private void Load(V1Secret secret)
    {
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        var certificate = data.TryGetValue(ObservedCertificates.TlsCertificateKey, out var c) ? System.Text.Encoding.UTF8.GetString(c) : "";
        var key = data.TryGetValue(ObservedCertificates.TlsPrivateKeyKey, out var k) ? System.Text.Encoding.UTF8.GetString(k) : "";
        var loaded = CertificateFactory.TryLoad(certificate, key, out var error);
        if (loaded is null)
        {
            LogUnusable(logger, secret.Metadata?.Name, error);
            return;
        }

        if (string.Equals(serving.Current?.Thumbprint, loaded.Thumbprint, StringComparison.Ordinal))
        {
            return;
        }

        serving.Update(loaded.Certificate);
        LogReloaded(logger, secret.Metadata?.Name, loaded.Certificate.SerialNumber, loaded.Validity.NotAfter);
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Information, Message = "Serving certificate from Secret {Secret} is now served (serial {Serial}, valid until {NotAfter:O})")]
    private static partial void LogReloaded(ILogger logger, string? secret, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 911, Level = LogLevel.Warning, Message = "Secret {Secret} holds no usable certificate and key ({Error}); still serving the previous certificate")]
    private static partial void LogUnusable(ILogger logger, string? secret, string? error);
}
