namespace KubeMacPool.Manager.Admission;

/// <summary>What a webhook decided about one request, before it is wrapped into an AdmissionReview.</summary>
internal sealed record AdmissionResult(bool Allowed, JsonPatch? Patch, int Code, string? Message)
{
    public static AdmissionResult Allow(JsonPatch? patch = null, string? message = null) =>
        new(true, patch is { IsEmpty: false } ? patch : null, 200, message);

    /// <summary>A refusal. The API server shows the message after "admission webhook ... denied the request: ".</summary>
    public static AdmissionResult Deny(string message, int code = 500) => new(false, null, code, message);

    public static AdmissionResult BadRequest(string message) => Deny(message, 400);
}
