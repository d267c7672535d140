using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.Certificates.Rotation;

/// <summary>
/// Keeps the caBundle of every webhook in ValidatingWebhookConfiguration <c>kubemacpool-validator</c> equal to the one
/// the rotator maintains in <c>kubemacpool-mutator</c>, so the validating webhooks trust the same CAs (old and new
/// through a rotation). The rotator stays the only one deciding what the bundle is; this only copies it. Both
/// configurations are read from the shared informers' caches; a change to either queues the one key.
/// </summary>
internal sealed partial class ValidatingBundleMirror(
    IKubernetes client,
    Informer<V1MutatingWebhookConfiguration> mutators,
    Informer<V1ValidatingWebhookConfiguration> validators,
    TimeProvider time,
    Leadership leadership,
    ILogger<ValidatingBundleMirror> logger) : BackgroundService, IReconciler<string>
{
    private const string Key = "validator-bundle";

    private readonly WorkQueue<string> _queue = new(time, maxDelay: TimeSpan.FromSeconds(10));

    public async ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var bundle = mutators.Cache.Get(WellKnown.MutatingWebhookConfiguration)?.Webhooks?.FirstOrDefault()?.ClientConfig?.CaBundle;
        if (bundle is not { Length: > 0 })
        {
            return ReconcileResult.Done; // Nothing trusted yet: the rotator writes the mutator first.
        }

        if (validators.Cache.Get(WellKnown.ValidatingWebhookConfiguration) is not { } cached
            || cached.Webhooks?.Any(w => IsStale(w, bundle)) != true)
        {
            return ReconcileResult.Done;
        }

        // The cached object is shared: change a copy, which keeps the resourceVersion that was read.
        var validator = KubernetesJson.Deserialize<V1ValidatingWebhookConfiguration>(KubernetesJson.Serialize(cached));
        var stale = validator.Webhooks.Where(w => IsStale(w, bundle)).ToList();
        foreach (var webhook in stale)
        {
            webhook.ClientConfig.CaBundle = bundle;
        }

        try
        {
            await client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(
                validator, validator.Metadata.Name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // The cache was behind: the newer version (or the deletion) is on its way through the informer, whose
            // event queues the key again; retrying before it arrives would only conflict again.
            LogCacheBehind(logger);
            return ReconcileResult.Done;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCopyFailed(logger, e);
            return ReconcileResult.Failed;
        }

        LogCopied(logger, stale.Count);
        return ReconcileResult.Done;
    }

    public override void Dispose()
    {
        _queue.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await mutators.QueueInto(_queue, _ => [Key], stoppingToken);
        await validators.QueueInto(_queue, _ => [Key], stoppingToken);
        await Task.WhenAll(mutators.Synced, validators.Synced).WaitAsync(stoppingToken);
        await new ReconcileLoop<string>(Key, _queue, this, logger, leaderOnly: leadership).RunAsync(stoppingToken);
    }

    private static bool IsStale(V1ValidatingWebhook webhook, byte[] bundle) =>
        webhook.ClientConfig is not null && !bundle.AsSpan().SequenceEqual(webhook.ClientConfig.CaBundle ?? []);

    [LoggerMessage(EventId = 915, Level = LogLevel.Information, Message = "Copied the CA bundle of kubemacpool-mutator to {Count} webhook(s) of kubemacpool-validator")]
    private static partial void LogCopied(ILogger logger, int count);

    [LoggerMessage(EventId = 916, Level = LogLevel.Warning, Message = "Copying the CA bundle to kubemacpool-validator failed; retrying with backoff")]
    private static partial void LogCopyFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 917, Level = LogLevel.Debug, Message = "kubemacpool-validator changed since it was cached; copying again when the informer has the change")]
    private static partial void LogCacheBehind(ILogger logger);
}
