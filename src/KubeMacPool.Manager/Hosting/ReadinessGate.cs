using System.Collections.Concurrent;

namespace KubeMacPool.Manager.Hosting;

/// <summary>
/// Readiness as a set of named conditions that must all hold. <c>/readyz</c> reports the first one that does
/// not; the webhooks refuse to allocate until all do (so no MAC is handed out before the pool knows the cluster).
/// </summary>
internal sealed class ReadinessGate
{
    private readonly ConcurrentDictionary<string, string?> _conditions = new(StringComparer.Ordinal);

    /// <summary>Declares a condition that is not met yet, with the reason <c>/readyz</c> shows.</summary>
    public void Require(string condition, string reason) => _conditions[condition] = reason;

    public void Satisfy(string condition) => _conditions[condition] = null;

    public void Unsatisfy(string condition, string reason) => _conditions[condition] = reason;

    public bool IsReady => NotReadyReason is null;

    public string? NotReadyReason => _conditions.Values.FirstOrDefault(r => r is not null);
}
