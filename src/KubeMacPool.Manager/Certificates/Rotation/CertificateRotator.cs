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
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Certificates.Rotation;

/// <summary>
/// The certificate manager, inside the manager process (the single writer of the two Secrets and of caBundle:
/// the Deployment runs one replica with strategy Recreate, and every write carries the resourceVersion it read, so
/// a stray second writer is refused with a conflict rather than overwriting). Watches the CA Secret, the serving
/// Secret and the webhook configuration; each change, and a timer for the next deadline, runs one reconcile: read
/// the three objects, plan (<see cref="RotationPlanner"/>), write. Writing order keeps the API server able to verify
/// the webhook throughout: caBundle first, then the CA Secret, then — after the API server had time to see the new
/// bundle — the serving Secret, which the watch hands to Kestrel.
/// </summary>
internal sealed partial class CertificateRotator(
    IKubernetes client,
    ServingCertificate serving,
    ReadinessGate readiness,
    IOptions<ManagerOptions> manager,
    IOptions<CertificateOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    public const string CertificatesReady = WellKnown.CertificatesReadiness;
    private const string ManagedAnnotation = "kubevirt.io/kube-admission-webhook";

    private readonly ILogger _logger = loggers.CreateLogger<CertificateRotator>();
    private readonly ChangeSignal _signal = new();
    private readonly Dictionary<string, DateTimeOffset> _trustedSince = new(StringComparer.Ordinal);
    private readonly Backoff _backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
    private string? _owedServingAuthority;
    private bool _firstPass = true;

    private string Namespace => manager.Value.PodNamespace!;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Require(CertificatesReady, "webhook certificate not ready: waiting for the certificate manager");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var intervals = settings.Intervals;
        LogStarting(_logger, Namespace, settings.ServiceName, intervals);
        var watchLogger = loggers.CreateLogger<ResourceWatcher<V1Secret>>();
        var synced = new[]
        {
            Run(new ResourceWatcher<V1Secret>(
                CertificateResourceClients.Secret(client, Namespace, CertificateOptions.CaSecretName),
                new SignalingHandler<V1Secret>(_signal), watchLogger, time), stoppingToken).Synced,
            Run(new ResourceWatcher<V1Secret>(
                CertificateResourceClients.Secret(client, Namespace, settings.ServingSecretName),
                new ServingSecretReloader(serving, _signal, loggers.CreateLogger<ServingSecretReloader>()), watchLogger, time), stoppingToken).Synced,
            Run(new ResourceWatcher<V1MutatingWebhookConfiguration>(
                ResourceClients.MutatingWebhookConfiguration(client, CertificateOptions.WebhookConfigurationName),
                new SignalingHandler<V1MutatingWebhookConfiguration>(_signal),
                loggers.CreateLogger<ResourceWatcher<V1MutatingWebhookConfiguration>>(), time), stoppingToken).Synced,
        };
        await Task.WhenAll(synced).WaitAsync(stoppingToken);

        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var next = await ReconcileAsync(intervals, stoppingToken);
                _backoff.Reset();
                wait = next - time.GetUtcNow();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Someone (or our own earlier write) changed an object since it was read: read again.
                LogConflict(_logger);
                wait = TimeSpan.Zero;
            }
            catch (Exception e)
            {
                wait = _backoff.Next();
                LogReconcileFailed(_logger, wait.TotalMilliseconds, e);
            }

            await _signal.WaitAsync(wait > RotationPlanner.ResyncInterval ? RotationPlanner.ResyncInterval : wait, time, stoppingToken);
        }
    }

    private static ResourceWatcher<T> Run<T>(ResourceWatcher<T> watcher, CancellationToken stoppingToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        _ = Task.Run(() => watcher.RunAsync(stoppingToken), stoppingToken);
        return watcher;
    }

    /// <summary>One pass: read, plan, write. Returns when to look again (unless a watch event comes first).</summary>
    private async Task<DateTimeOffset> ReconcileAsync(RotationIntervals intervals, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var authoritySecret = await ReadSecretAsync(CertificateOptions.CaSecretName, cancellationToken);
        var servingSecret = await ReadSecretAsync(settings.ServingSecretName, cancellationToken);
        var configuration = await ReadConfigurationAsync(cancellationToken);
        var webhooks = configuration?.Webhooks is { Count: > 0 } list ? list : null;
        var names = ServingNames.For(settings.ServiceName, Namespace, webhooks);
        var observed = ObservedCertificates.From(
            authoritySecret?.Data, servingSecret?.Data, webhooks?.Select(w => w.ClientConfig?.CaBundle).ToList(), names);

        var now = time.GetUtcNow();
        var trustedSince = TrustedSince(observed, now);
        _firstPass = false;
        var plan = RotationPlanner.Plan(observed, intervals, now, trustedSince, _owedServingAuthority);

        if (plan.RotateAuthorityBecause is { } reason)
        {
            var authority = CertificateFactory.CreateAuthority(now, intervals.CaRotate);
            IReadOnlyList<X509Certificate2> bundle = [authority.Certificate, .. plan.Bundle];
            if (webhooks is not null)
            {
                await WriteBundlesAsync(configuration!, bundle, cancellationToken);
                _trustedSince[authority.Thumbprint] = time.GetUtcNow();
            }
            else
            {
                _trustedSince[authority.Thumbprint] = DateTimeOffset.MinValue;
            }

            await WriteAuthoritySecretAsync(authoritySecret, bundle, authority, cancellationToken);
            _owedServingAuthority = authority.Thumbprint;
            LogAuthorityRotated(_logger, reason, authority.Certificate.SerialNumber, authority.Validity.NotAfter, bundle.Count);

            return time.GetUtcNow();
        }

        var current = observed.Authority!;
        if (plan.RewriteBundles && webhooks is not null)
        {
            await WriteBundlesAsync(configuration!, plan.Bundle, cancellationToken);
            LogBundleWritten(_logger, plan.Bundle.Count);
        }

        if (plan.RewriteAuthoritySecret)
        {
            await WriteAuthoritySecretAsync(authoritySecret, plan.Bundle, current, cancellationToken);
        }

        if (plan.Serving == ServingStep.Issue)
        {
            var issued = CertificateFactory.IssueServing(current, names, now, intervals.CertRotate);
            await WriteServingSecretAsync(servingSecret, issued, cancellationToken);
            _owedServingAuthority = null;
            LogServingIssued(_logger, plan.ServingBecause, issued.Certificate.SerialNumber, issued.Validity.NotAfter, names.Describe);
        }
        else if (plan.Serving == ServingStep.WaitForTrust)
        {
            LogWaitingForTrust(_logger, plan.ServingBecause, plan.NextCheck);
        }

        if (plan.IsSteady && observed.Serving is { } steady
            && string.Equals(serving.Current?.Thumbprint, steady.Thumbprint, StringComparison.Ordinal))
        {
            readiness.Satisfy(CertificatesReady);
        }

        return plan.NextCheck;
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
                // A Secret's type cannot change; one of the wrong type is replaced.
                await client.CoreV1.DeleteNamespacedSecretAsync(name, Namespace, cancellationToken: cancellationToken);
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

    [LoggerMessage(EventId = 906, Level = LogLevel.Warning, Message = "Certificate reconcile failed; retrying in {DelayMs} ms")]
    private static partial void LogReconcileFailed(ILogger logger, double delayMs, Exception exception);
}
