namespace KubeMacPool.Manager.Admission;

/// <summary>One mutating webhook: decides about one request. Expected refusals are results, not exceptions.</summary>
internal interface IAdmissionWebhook
{
    /// <summary>The webhook's name in the MutatingWebhookConfiguration, for logs and metrics.</summary>
    string Name { get; }

    ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken);
}
