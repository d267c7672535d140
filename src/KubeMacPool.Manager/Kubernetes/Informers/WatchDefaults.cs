namespace KubeMacPool.Manager.Kubernetes.Informers;

internal static class WatchDefaults
{
    /// <summary>Page size of every list, as upstream (bounded memory per response).</summary>
    public const int PageSize = 500;

    /// <summary>The server closes each watch after this; the client reconnects from the last version.</summary>
    public const int WatchTimeoutSeconds = 240;

    /// <summary>
    /// How long a list we request ourselves may go without progress: until its headers, then between reads of its body
    /// (KubernetesClient's generated calls give up after the same 100 s). A server that stalls mid-list is retried, not
    /// waited on forever; a large response that keeps arriving is not cut (from the watch cache it holds every object).
    /// </summary>
    public static readonly TimeSpan ListStallTimeout = TimeSpan.FromSeconds(100);
}
