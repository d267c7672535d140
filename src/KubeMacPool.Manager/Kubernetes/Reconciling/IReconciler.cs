namespace KubeMacPool.Manager.Kubernetes.Reconciling;

/// <summary>
/// A controller's logic as a function of one key: read the caches, compare with what should be, write the difference.
/// It is called again for the same key whenever something about it changes, so it never needs to remember the event
/// that woke it. Throwing retries the key with backoff; <see cref="ReconcileResult.RequeueAfter"/> looks again later.
/// </summary>
internal interface IReconciler<in TKey>
{
    ValueTask<ReconcileResult> ReconcileAsync(TKey key, CancellationToken cancellationToken);
}

/// <summary>What a reconcile asks for next.</summary>
internal readonly record struct ReconcileResult(TimeSpan? RequeueAfter, bool Retry)
{
    /// <summary>Nothing more to do until the key changes.</summary>
    public static ReconcileResult Done => default;

    /// <summary>Look at the key again after <paramref name="delay"/> (a deadline, not a failure).</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay, false);

    /// <summary>It did not work out (e.g. a write failed): retry with the key's backoff, without an exception.</summary>
    public static ReconcileResult Failed => new(null, true);
}
