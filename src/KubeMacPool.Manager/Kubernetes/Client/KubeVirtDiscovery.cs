using k8s;
using k8s.Autorest;
using KubeMacPool.Manager.Kubernetes.Models;

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
        // The group version's own discovery document, by status alone: the VM list (a start's longest) waits on this
        // answer, and reading the whole group list into the client's models delayed it by ~0.14 s in a cold process.
        var requests = new RawRequests(client);
        var url = requests.Url("apis/" + VirtualMachine.Group + "/" + VirtualMachine.Version);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await IsServedAsync(requests, url, cancellationToken))
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

    private static async Task<bool> IsServedAsync(RawRequests requests, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await requests.GetAsync(url, cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "KubeVirt (kubevirt.io/v1) is not installed; serving pods only and checking every 5 s")]
    private static partial void LogNotInstalled(ILogger logger);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "KubeVirt appeared; starting the KubeVirt informers")]
    private static partial void LogAppeared(ILogger logger);

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "API discovery failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
