using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Core.Certificates;
using KubeMacPool.Manager.Certificates.Authority;
using KubeMacPool.Manager.Certificates.Serving;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Reconciling;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Certificates.Rotation;

/// <summary>
/// The certificate manager, inside the manager process (the single writer of the two Secrets and of caBundle:
/// the Deployment runs one replica with strategy Recreate, and every write carries the resourceVersion it read, so
/// a stray second writer is refused with a conflict rather than overwriting). A reconciler of one key, queued by the
/// shared informers whenever the CA Secret, the serving Secret or the webhook configuration changes, and again at
/// the plan's next deadline: read the three objects, plan (<see cref="RotationPlanner"/>), write. Writing order keeps
/// the API server able to verify the webhook throughout: caBundle first, then the CA Secret, then — after the API
/// server had time to see the new bundle — the serving Secret, which the informer hands to Kestrel.
/// </summary>
internal sealed partial class CertificateRotator(
    IKubernetes client,
    Informer<V1Secret> secrets,
    Informer<V1MutatingWebhookConfiguration> webhookConfigurations,
    ServingSecretReloader reloader,
    ServingCertificate serving,
    ReadinessGate readiness,
    Leadership leadership,
    IOptions<ManagerOptions> manager,
    IOptions<CertificateOptions> options,
    TimeProvider time,
    ILogger<CertificateRotator> logger) : BackgroundService, IReconciler<string>
{
    public const string CertificatesReady = WellKnown.CertificatesReadiness;
    private const string Key = "certificates";
    private static readonly TimeSpan StandbyRecheck = TimeSpan.FromSeconds(1);
    private const string ManagedAnnotation = "kubevirt.io/kube-admission-webhook";

    private readonly WorkQueue<string> _queue = new(time, maxDelay: TimeSpan.FromSeconds(10));
    private readonly Dictionary<string, DateTimeOffset> _trustedSince = new(StringComparer.Ordinal);
    private string? _owedServingAuthority;
    private bool _firstPass = true;

    private string Namespace => manager.Value.PodNamespace!;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Require(CertificatesReady, "webhook certificate not ready: waiting for the certificate manager");
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _queue.Dispose();
        base.Dispose();
    }

    public async ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var wait = await ReconcileOnceAsync(options.Value.Intervals, cancellationToken) - time.GetUtcNow();
            return ReconcileResult.After(wait > RotationPlanner.ResyncInterval ? RotationPlanner.ResyncInterval : wait);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Someone (or our own earlier write) changed an object since it was read: read again.
            LogConflict(logger);
            return ReconcileResult.After(TimeSpan.Zero);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogReconcileFailed(logger, e);
            return ReconcileResult.Failed;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        LogStarting(logger, Namespace, settings.ServiceName, settings.Intervals);

        // The reloader subscribes first, so a new serving Secret is in Kestrel before the reconcile it queues checks
        // readiness against it.
        await secrets.SubscribeAsync(reloader, stoppingToken);
        await secrets.QueueInto(_queue, s => IsCertificateSecret(s) ? [Key] : [], stoppingToken);
        await webhookConfigurations.QueueInto(_queue, _ => [Key], stoppingToken);
        await Task.WhenAll(secrets.Synced, webhookConfigurations.Synced).WaitAsync(stoppingToken);

        // Objects that do not exist queue nothing, and creating them is this reconciler's job.
        _queue.Add(Key);
        await new ReconcileLoop<string>(Key, _queue, this, logger).RunAsync(stoppingToken);
    }

    private bool IsCertificateSecret(V1Secret secret) =>
        secret.Metadata?.Name is CertificateOptions.CaSecretName
        || string.Equals(secret.Metadata?.Name, options.Value.ServingSecretName, StringComparison.Ordinal);

    /// <summary>
    /// One pass: read, plan, write. Returns when to look again (unless a change queues the key first).
    /// The caches answer the common question, whether anything is to be done. What to write is decided on fresh
    /// reads: the plan combines three objects, and a write carries only the resourceVersion of the object it writes,
    /// so a stale cached object could steer a write to another object without a conflict to catch it (after a CA
    /// rotation, a cache holding the new caBundle but still the old CA Secret would reorder the bundle).
    /// </summary>
    private async Task<DateTimeOffset> ReconcileOnceAsync(RotationIntervals intervals, CancellationToken cancellationToken)
    {
        var servingSecretName = options.Value.ServingSecretName;
        var cached = Observe(
            secrets.Cache.Get(Namespace, CertificateOptions.CaSecretName),
            secrets.Cache.Get(Namespace, servingSecretName),
            webhookConfigurations.Cache.Get(CertificateOptions.WebhookConfigurationName));
        var now = time.GetUtcNow();
        var plan = RotationPlanner.Plan(cached.Observed, intervals, now, TrustedSince(cached.Observed, now), _owedServingAuthority);
        if (plan.IsSteady)
        {
            _firstPass = false;
            MarkReadyIfServed(cached.Observed);
            return plan.NextCheck;
        }

        // Serving what the Secrets hold is every replica's job (readiness above); changing them is the leader's.
        if (!leadership.IsLeader)
        {
            return now + StandbyRecheck;
        }

        var fresh = Observe(
            await ReadSecretAsync(CertificateOptions.CaSecretName, cancellationToken),
            await ReadSecretAsync(servingSecretName, cancellationToken),
            await ReadConfigurationAsync(cancellationToken));
        var observed = fresh.Observed;
        now = time.GetUtcNow();
        var trustedSince = TrustedSince(observed, now);
        _firstPass = false;
        plan = RotationPlanner.Plan(observed, intervals, now, trustedSince, _owedServingAuthority);

        if (plan.RotateAuthorityBecause is { } reason)
        {
            var authority = CertificateFactory.CreateAuthority(now, intervals.CaRotate);
            IReadOnlyList<X509Certificate2> bundle = [authority.Certificate, .. plan.Bundle];
            if (fresh.Webhooks is not null)
            {
                await WriteBundlesAsync(fresh.Configuration!, bundle, cancellationToken);
                _trustedSince[authority.Thumbprint] = time.GetUtcNow();
            }
            else
            {
                _trustedSince[authority.Thumbprint] = DateTimeOffset.MinValue;
            }

            await WriteAuthoritySecretAsync(fresh.AuthoritySecret, bundle, authority, cancellationToken);
            _owedServingAuthority = authority.Thumbprint;
            LogAuthorityRotated(logger, reason, authority.Certificate.SerialNumber, authority.Validity.NotAfter, bundle.Count);

            return time.GetUtcNow();
        }

        var current = observed.Authority!;
        if (plan.RewriteBundles && fresh.Webhooks is not null)
        {
            await WriteBundlesAsync(fresh.Configuration!, plan.Bundle, cancellationToken);
            LogBundleWritten(logger, plan.Bundle.Count);
        }

        if (plan.RewriteAuthoritySecret)
        {
            await WriteAuthoritySecretAsync(fresh.AuthoritySecret, plan.Bundle, current, cancellationToken);
        }

        if (plan.Serving == ServingStep.Issue)
        {
            var issued = CertificateFactory.IssueServing(current, observed.Names, now, intervals.CertRotate);
            await WriteServingSecretAsync(fresh.ServingSecret, issued, cancellationToken);
            _owedServingAuthority = null;
            LogServingIssued(logger, plan.ServingBecause, issued.Certificate.SerialNumber, issued.Validity.NotAfter, observed.Names.Describe);
        }
        else if (plan.Serving == ServingStep.WaitForTrust)
        {
            LogWaitingForTrust(logger, plan.ServingBecause, plan.NextCheck);
        }

        if (plan.IsSteady)
        {
            MarkReadyIfServed(observed);
        }

        return plan.NextCheck;
    }

    private Snapshot Observe(V1Secret? authoritySecret, V1Secret? servingSecret, V1MutatingWebhookConfiguration? configuration)
    {
        var webhooks = configuration?.Webhooks is { Count: > 0 } list ? list : null;
        var names = ServingNames.For(options.Value.ServiceName, Namespace, webhooks);
        var observed = ObservedCertificates.From(
            authoritySecret?.Data, servingSecret?.Data, webhooks?.Select(w => w.ClientConfig?.CaBundle).ToList(), names);
        return new Snapshot(authoritySecret, servingSecret, configuration, webhooks, observed);
    }

    /// <summary>Ready once the state is steady and Kestrel serves the certificate the serving Secret holds.</summary>
    private void MarkReadyIfServed(ObservedCertificates observed)
    {
        if (observed.Serving is { } steady
            && string.Equals(serving.Current?.Thumbprint, steady.Thumbprint, StringComparison.Ordinal))
        {
            readiness.Satisfy(CertificatesReady);
        }
    }

    /// <summary>
    /// Since when every caBundle holds the current CA. What is already there when the process starts counts as
    /// trusted long ago; what appears later counts from when it was first seen (or written).
    /// </summary>
    private DateTimeOffset? TrustedSince(ObservedCertificates observed, DateTimeOffset now)
    {
        if (observed.Authority is not { } current)
        {
            return null;
        }

        if (observed.WebhookBundles is null)
        {
            return DateTimeOffset.MinValue;
        }

        var inEvery = observed.WebhookBundles.All(b => b?.Any(c => c.RawData.AsSpan().SequenceEqual(current.Certificate.RawData)) == true);
        if (!inEvery)
        {
            _trustedSince.Remove(current.Thumbprint);
            return null;
        }

        // Forget CAs that are gone from the CA list (one entry per CA otherwise, for the life of the process).
        foreach (var gone in _trustedSince.Keys.Where(k => !observed.Authorities.Any(a => a.Thumbprint == k)).ToList())
        {
            _trustedSince.Remove(gone);
        }

        if (!_trustedSince.TryGetValue(current.Thumbprint, out var since))
        {
            since = _firstPass ? DateTimeOffset.MinValue : now;
            _trustedSince[current.Thumbprint] = since;
        }

        return since;
    }

    private async Task<V1Secret?> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(name, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<V1MutatingWebhookConfiguration?> ReadConfigurationAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(
                CertificateOptions.WebhookConfigurationName, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The same bundle into every webhook, replacing the configuration as read (its resourceVersion guards it).</summary>
    private async Task WriteBundlesAsync(V1MutatingWebhookConfiguration configuration, IReadOnlyList<X509Certificate2> bundle, CancellationToken cancellationToken)
    {
        var pem = Encoding.UTF8.GetBytes(CertificateChecks.ToPem(bundle));
        foreach (var webhook in configuration.Webhooks)
        {
            webhook.ClientConfig ??= new Admissionregistrationv1WebhookClientConfig();
            webhook.ClientConfig.CaBundle = pem;
        }

        await client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(
            configuration, configuration.Metadata.Name, cancellationToken: cancellationToken);
    }

    private Task WriteAuthoritySecretAsync(V1Secret? existing, IReadOnlyList<X509Certificate2> bundle, KeyedCertificate authority, CancellationToken cancellationToken) =>
        WriteSecretAsync(existing, CertificateOptions.CaSecretName, "Opaque", new Dictionary<string, byte[]>
        {
            [ObservedCertificates.CertificateKey] = Encoding.UTF8.GetBytes(CertificateChecks.ToPem(bundle)),
            [ObservedCertificates.PrivateKeyKey] = Encoding.UTF8.GetBytes(authority.PrivateKeyPem),
        }, cancellationToken);

    private Task WriteServingSecretAsync(V1Secret? existing, KeyedCertificate issued, CancellationToken cancellationToken) =>
        WriteSecretAsync(existing, options.Value.ServingSecretName, "kubernetes.io/tls", new Dictionary<string, byte[]>
        {
            [ObservedCertificates.TlsCertificateKey] = Encoding.UTF8.GetBytes(issued.CertificatePem),
            [ObservedCertificates.TlsPrivateKeyKey] = Encoding.UTF8.GetBytes(issued.PrivateKeyPem),
        }, cancellationToken);

    private async Task WriteSecretAsync(V1Secret? existing, string name, string type, IDictionary<string, byte[]> data, CancellationToken cancellationToken)
    {
        if (existing is null || !string.Equals(existing.Type, type, StringComparison.Ordinal))
        {
            if (existing is not null)
            {
                // A Secret's type cannot change; one of the wrong type is replaced (that very version only).
                await client.CoreV1.DeleteNamespacedSecretAsync(
                    name, Namespace,
                    new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = existing.Metadata.ResourceVersion } },
                    cancellationToken: cancellationToken);
            }

            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = Namespace,
                    Annotations = new Dictionary<string, string> { [ManagedAnnotation] = "" },
                },
                Type = type,
                Data = data,
            }, Namespace, cancellationToken: cancellationToken);
            return;
        }

        existing.Data = data;
        existing.Metadata.Annotations ??= new Dictionary<string, string>();
        existing.Metadata.Annotations[ManagedAnnotation] = "";
        await client.CoreV1.ReplaceNamespacedSecretAsync(existing, name, Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>The three objects as read (null: absent), and what they hold.</summary>
    private sealed record Snapshot(
        V1Secret? AuthoritySecret,
        V1Secret? ServingSecret,
        V1MutatingWebhookConfiguration? Configuration,
        IList<V1MutatingWebhook>? Webhooks,
        ObservedCertificates Observed);

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Certificate manager for namespace {Namespace}, Service {Service}: {Intervals}")]
    private static partial void LogStarting(ILogger logger, string @namespace, string service, RotationIntervals intervals);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "New CA (serial {Serial}, valid until {NotAfter:O}) because {Reason}; caBundle now holds {Count} CA(s)")]
    private static partial void LogAuthorityRotated(ILogger logger, string reason, string serial, DateTimeOffset notAfter, int count);

    [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "New serving certificate (serial {Serial}, valid until {NotAfter:O}, names {Names}) because {Reason}")]
    private static partial void LogServingIssued(ILogger logger, string? reason, string serial, DateTimeOffset notAfter, string names);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "caBundle rewritten with {Count} CA(s)")]
    private static partial void LogBundleWritten(ILogger logger, int count);

    [LoggerMessage(EventId = 904, Level = LogLevel.Debug, Message = "A new serving certificate is due ({Reason}); waiting until {At:O} for the API server to trust its CA")]
    private static partial void LogWaitingForTrust(ILogger logger, string? reason, DateTimeOffset at);

    [LoggerMessage(EventId = 905, Level = LogLevel.Debug, Message = "Certificate objects changed while being updated; reading them again")]
    private static partial void LogConflict(ILogger logger);

    [LoggerMessage(EventId = 906, Level = LogLevel.Warning, Message = "Certificate reconcile failed; retrying with backoff")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
