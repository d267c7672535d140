using System.Text.Json;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// The request of an AdmissionReview (admission.k8s.io v1 and v1beta1 share it). The objects are elements of the
/// review's one parsed document, valid only while the review is answered: webhooks read them in place and patch single
/// fields, so no tree is built and unknown fields are never lost.
/// </summary>
internal sealed record AdmissionRequest
{
    public string? Uid { get; init; }

    /// <summary>The kind of the object (<c>request.kind.kind</c>).</summary>
    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public string? Operation { get; init; }

    /// <summary>The object; null when absent or JSON null.</summary>
    public JsonElement? Object { get; init; }

    /// <summary>The object before an UPDATE; null when absent or JSON null.</summary>
    public JsonElement? OldObject { get; init; }

    public bool IsDryRun { get; init; }
}
