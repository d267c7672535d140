using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Certificates;

/// <summary>
/// Loads tls.crt / tls.key from the certificate directory (a mounted Secret, or files written by cluster-sync)
/// and reloads them when they change. Polling, because a Secret mount swaps a symlink, which inotify misses.
/// </summary>
internal sealed partial class CertificateDirectoryWatcher(
    ServingCertificate serving,
    IOptions<ManagerOptions> options,
    TimeProvider time,
    ILogger<CertificateDirectoryWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private string? _loadedFingerprint;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var certPath = Path.Combine(options.Value.CertDir, "tls.crt");
        var keyPath = Path.Combine(options.Value.CertDir, "tls.key");
        while (!stoppingToken.IsCancellationRequested)
        {
            TryLoad(certPath, keyPath);
            await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void TryLoad(string certPath, string keyPath)
    {
        try
        {
            if (!File.Exists(certPath) || !File.Exists(keyPath))
            {
                if (_loadedFingerprint is null)
                {
                    LogWaiting(logger, certPath);
                }

                return;
            }

            var certPem = File.ReadAllText(certPath);
            var keyPem = File.ReadAllText(keyPath);
            var fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(certPem + keyPem)));
            if (fingerprint == _loadedFingerprint)
            {
                return;
            }

            serving.Update(PemCertificates.LoadServingCertificate(certPem, keyPem));
            _loadedFingerprint = fingerprint;
            LogLoaded(logger, certPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            LogLoadFailed(logger, certPath, e);
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Waiting for the serving certificate at {Path}")]
    private static partial void LogWaiting(ILogger logger, string path);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Serving certificate loaded from {Path}")]
    private static partial void LogLoaded(ILogger logger, string path);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Could not load the serving certificate from {Path}; keeping the previous one")]
    private static partial void LogLoadFailed(ILogger logger, string path, Exception exception);
}
