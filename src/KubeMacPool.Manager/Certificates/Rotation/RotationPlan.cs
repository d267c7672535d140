using System.Security.Cryptography.X509Certificates;

namespace KubeMacPool.Manager.Certificates.Rotation;

internal enum ServingStep
{
    /// <summary>The serving certificate is fine.</summary>
    None,

    /// <summary>Issue a new serving certificate now.</summary>
    Issue,

    /// <summary>A new one is needed, but the API server has not had long enough to learn the CA that would sign it.</summary>
    WaitForTrust,
}

/// <summary>
/// What one reconcile does. <see cref="RotateAuthorityBecause"/> (a new CA, prepended to caBundle) wins over the
/// rest; otherwise the bundle and CA list are brought to <see cref="Bundle"/> and the serving step is taken.
/// </summary>
internal sealed record RotationPlan(
    string? RotateAuthorityBecause,
    ServingStep Serving,
    string? ServingBecause,
    IReadOnlyList<X509Certificate2> Bundle,
    bool RewriteBundles,
    bool RewriteAuthoritySecret,
    DateTimeOffset NextCheck)
{
    /// <summary>Nothing to do: the state is valid and nothing is pending.</summary>
    public bool IsSteady => RotateAuthorityBecause is null && Serving == ServingStep.None && !RewriteBundles && !RewriteAuthoritySecret;
}
