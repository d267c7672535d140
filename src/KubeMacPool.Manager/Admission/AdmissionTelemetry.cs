using System.Diagnostics;
using KubeMacPool.Core.Allocation;
using KubeMacPool.Core.Pool;

using KubeMacPool.Manager.Telemetry;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// One Activity per admission request (exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set) and the
/// latency and denial metrics, recorded once the answer is known.
/// </summary>
internal sealed class AdmissionTelemetry(ManagerMetrics metrics)
{
    public const string ActivitySourceName = ManagerMetrics.AdmissionActivitySource;

    private static readonly ActivitySource Source = new(ActivitySourceName);

    public static Activity? Start(string webhook, AdmissionRequest? request)
    {
        // Without a listener (no OTLP endpoint) there is no activity: skip building its name on every review.
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("admission " + webhook, ActivityKind.Server);
        if (activity is { IsAllDataRequested: true } && request is not null)
        {
            activity.SetTag("kubemacpool.webhook", webhook);
            activity.SetTag("k8s.admission.uid", request.Uid);
            activity.SetTag("k8s.admission.operation", request.Operation);
            activity.SetTag("k8s.admission.kind", request.Kind);
            activity.SetTag("k8s.namespace.name", request.Namespace);
            activity.SetTag("k8s.admission.dry_run", request.IsDryRun);
        }

        return activity;
    }

    public void Complete(Activity? activity, string webhook, AdmissionResult result, TimeSpan elapsed)
    {
        var reason = result.Allowed ? null : DenialReason(result);
        if (activity is not null)
        {
            activity.SetTag("k8s.admission.allowed", result.Allowed);
            if (reason is not null)
            {
                activity.SetTag("kubemacpool.denial_reason", reason);
                activity.SetStatus(ActivityStatusCode.Error, result.Message);
            }
        }

        metrics.RecordAdmission(webhook, elapsed, reason);
    }

    /// <summary>A small fixed set of reasons (a label must not carry user text).</summary>
    public static string DenialReason(AdmissionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var message = result.Message ?? "";
        return result.Code switch
        {
            503 => "not_ready",
            400 => "bad_request",
            _ when message.Contains(RangeAllocator.RangeFullError, StringComparison.Ordinal) => "range_full",
            _ when message.Contains(MacPool.RequestedMacTakenError, StringComparison.Ordinal) => "mac_taken",
            _ when message.Contains("duplicate MAC address", StringComparison.Ordinal) => "duplicate_in_object",
            _ when message.Contains(MacPool.ReservedMacError, StringComparison.Ordinal) => "reserved_mac",
            _ when message.Contains("invalid MAC address", StringComparison.Ordinal) => "invalid_mac",
            _ when message.StartsWith("internal error", StringComparison.Ordinal) => "internal",
            _ => "invalid",
        };
    }
}
