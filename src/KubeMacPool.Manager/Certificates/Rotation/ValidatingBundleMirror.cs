using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Certificates.Rotation;

/// <summary>
/// Keeps the caBundle of every webhook in ValidatingWebhookConfiguration <c>kubemacpool-validator</c> equal to the one
/// the rotator maintains in <c>kubemacpool-mutator</c>, so the validating webhooks trust the same CAs (old and new
/// through a rotation). The rotator stays the only one deciding what the bundle is; this only copies it.
/// </summary>
internal sealed partial class ValidatingBundleMirror(IKubernetes client, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    public const string ValidatorName = WellKnown.ValidatingWebhookConfiguration;
    private static readonly TimeSpan Resync = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = loggers.CreateLogger<ValidatingBundleMirror>();
    private readonly ChangeSignal _signal = new();
    private readonly Backoff _backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Watch(ResourceClients.MutatingWebhookConfiguration(client, CertificateOptions.WebhookConfigurationName), stoppingToken);
        Watch(ResourceClients.ValidatingWebhookConfiguration(client, ValidatorName), stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Resync;
            try
            {
                await CopyAsync(stoppingToken);
                _backoff.Reset();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A conflict included: read both again after a short pause.
                wait = _backoff.Next();
                LogCopyFailed(_logger, wait.TotalMilliseconds, e);
            }

            await _signal.WaitAsync(wait, time, stoppingToken);
        }
    }

    private async Task CopyAsync(CancellationToken cancellationToken)
    {
        var mutator = await ReadOrNullAsync(() => client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(
            CertificateOptions.WebhookConfigurationName, cancellationToken: cancellationToken));
        var bundle = mutator?.Webhooks?.FirstOrDefault()?.ClientConfig?.CaBundle;
        if (bundle is not { Length: > 0 })
        {
            return; // Nothing trusted yet: the rotator writes the mutator first.
        }

        var validator = await ReadOrNullAsync(() => client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(
            ValidatorName, cancellationToken: cancellationToken));
        var stale = validator?.Webhooks?.Where(w => w.ClientConfig is not null && !bundle.AsSpan().SequenceEqual(w.ClientConfig.CaBundle ?? [])).ToList();
        if (stale is not { Count: > 0 })
        {
            return;
        }

        foreach (var webhook in stale)
        {
            webhook.ClientConfig.CaBundle = bundle;
        }

        await client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(validator!, ValidatorName, cancellationToken: cancellationToken);
        LogCopied(_logger, stale.Count);
    }

    private static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private void Watch<T>(IResourceClient<T> source, CancellationToken stoppingToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var watcher = new ResourceWatcher<T>(source, new SignalingHandler<T>(_signal), loggers.CreateLogger<ResourceWatcher<T>>(), time);
        _ = Task.Run(() => watcher.RunAsync(stoppingToken), stoppingToken);
    }

    [LoggerMessage(EventId = 915, Level = LogLevel.Information, Message = "Copied the CA bundle of kubemacpool-mutator to {Count} webhook(s) of kubemacpool-validator")]
    private static partial void LogCopied(ILogger logger, int count);

    [LoggerMessage(EventId = 916, Level = LogLevel.Warning, Message = "Copying the CA bundle to kubemacpool-validator failed; retrying in {DelayMs} ms")]
    private static partial void LogCopyFailed(ILogger logger, double delayMs, Exception exception);
}
