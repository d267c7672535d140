namespace KubeMacPool.Manager.Kubernetes.Informers;

internal static class WatchDefaults
{
    /// <summary>Page size of every list, as upstream (bounded memory per response).</summary>
    public const int PageSize = 500;

    /// <summary>The server closes each watch after this; the client reconnects from the last version.</summary>
    public const int WatchTimeoutSeconds = 240;
}
