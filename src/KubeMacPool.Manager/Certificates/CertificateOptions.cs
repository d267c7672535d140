using KubeMacPool.Core.Certificates;

namespace KubeMacPool.Manager.Certificates;

/// <summary>
/// The certificate manager's settings: the four upstream interval variables (Go durations) and the webhook
/// Service whose DNS names the serving certificate carries (<c>--service-name</c> or <c>WEBHOOK_SERVICE_NAME</c>).
/// </summary>
internal sealed class CertificateOptions
{
    public const string CaSecretName = WellKnown.CaSecret;
    public const string WebhookConfigurationName = WellKnown.MutatingWebhookConfiguration;

    public string ServiceName { get; set; } = "kubemacpool-service";

    public string? CaRotateInterval { get; set; }

    public string? CaOverlapInterval { get; set; }

    public string? CertRotateInterval { get; set; }

    public string? CertOverlapInterval { get; set; }

    /// <summary>The serving certificate's Secret is named after the Service, as upstream's.</summary>
    public string ServingSecretName => ServiceName;

    /// <summary>The parsed intervals; only called after validation passed.</summary>
    public RotationIntervals Intervals =>
        RotationIntervals.TryParse(CaRotateInterval, CaOverlapInterval, CertRotateInterval, CertOverlapInterval, out var intervals, out var errors)
            ? intervals!
            : throw new InvalidOperationException(string.Join("; ", errors));
}
