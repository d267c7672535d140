using k8s;

namespace KubeMacPool.Manager.Kubernetes.Client;

/// <summary>
/// Whether KubeVirt's API (kubevirt.io/v1) is served, found by API discovery once for the whole process: every
/// KubeVirt informer waits on <see cref="Installed"/>. Without KubeVirt the service runs for pods and looks again
/// every few seconds, so KubeVirt installed later is picked up without a restart.
/// </summary>
internal sealed partial class KubeVirtDiscovery(IKubernetes client, TimeProvider time, ILogger<KubeVirtDiscovery> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource<bool> _firstAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _installed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The answer of the first discovery that succeeded.</summary>
    public Task<bool> FirstAnswer => _firstAnswer.Task;

    /// <summary>Completes when KubeVirt is found served.</summary>
    public Task Installed => _installed.Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var groups = await client.Apis.GetAPIVersionsAsync(cancellationToken);
                var installed = groups.Groups?.Any(g => g.Name == "kubevirt.io" && g.Versions.Any(v => v.Version == "v1")) == true;
                if (installed)
                {
                    if (_firstAnswer.Task.IsCompleted)
                    {
                        LogAppeared(logger);
                    }

                    _firstAnswer.TrySetResult(true);
                    _installed.TrySetResult();
                    return;
                }

                if (_firstAnswer.TrySetResult(false))
                {
                    LogNotInstalled(logger);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }

            await Task.Delay(Interval, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "KubeVirt (kubevirt.io/v1) is not installed; serving pods only and checking every 5 s")]
    private static partial void LogNotInstalled(ILogger logger);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "KubeVirt appeared; starting the KubeVirt informers")]
    private static partial void LogAppeared(ILogger logger);

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "API discovery failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
