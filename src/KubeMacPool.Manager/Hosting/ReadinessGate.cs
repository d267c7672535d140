using System.Collections.Concurrent;

namespace KubeMacPool.Manager.Hosting;

/// <summary>
/// Readiness as a set of named conditions that must all hold. <c>/readyz</c> reports the first one that does
/// not; the webhooks refuse to allocate until all do (so no MAC is handed out before the pool knows the cluster).
/// </summary>
internal sealed class ReadinessGate
{
    private readonly ConcurrentDictionary<string, string?> _conditions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _firstSatisfied = new(StringComparer.Ordinal);

    /// <summary>Declares a condition that is not met yet, with the reason <c>/readyz</c> shows.</summary>
    public void Require(string condition, string reason) => _conditions[condition] = reason;

    public void Satisfy(string condition)
    {
        _conditions[condition] = null;
        FirstSatisfied(condition).TrySetResult();
    }

    /// <summary>
    /// Completes the first time <paramref name="condition"/> holds. Work that is not on the pool's critical path
    /// (collisions, IP controllers) waits for the pool this way, so it does not compete with the startup rebuild.
    /// </summary>
    public Task WhenFirstSatisfied(string condition) => FirstSatisfied(condition).Task;

    public void Unsatisfy(string condition, string reason) => _conditions[condition] = reason;

    public bool IsReady => NotReadyReason is null;

    public string? NotReadyReason => _conditions.Values.FirstOrDefault(r => r is not null);

    private TaskCompletionSource FirstSatisfied(string condition) =>
        _firstSatisfied.GetOrAdd(condition, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
