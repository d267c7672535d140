namespace KubeMacPool.Manager.Kubernetes.Informers;

internal static class WatchDefaults
{
    /// <summary>Page size of every list, as upstream (bounded memory per response).</summary>
    public const int PageSize = 500;

    /// <summary>The server closes each watch after this; the client reconnects from the last version.</summary>
    public const int WatchTimeoutSeconds = 240;

    /// <summary>
    /// How long one page of a list we request ourselves may take (KubernetesClient's generated calls give up after
    /// the same 100 s): a server that stalls mid-list is retried, not waited on forever.
    /// </summary>
    public static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(100);
}
