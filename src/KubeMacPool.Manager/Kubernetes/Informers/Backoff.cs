namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>Exponential backoff with full jitter, so many watchers do not reconnect in step.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, _attempt));
        _attempt = Math.Min(_attempt + 1, 30);
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    public void Reset() => _attempt = 0;
}
