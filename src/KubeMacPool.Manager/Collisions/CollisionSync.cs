using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Watching;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// Runs the collision watches: pods always, VMIs once KubeVirt is served. Starts after the namespaces and opt
/// modes are known (so the first list is judged correctly) and re-judges every object when they change.
/// Never blocks startup and never gates readiness: collisions are reported, not prevented.
/// </summary>
internal sealed partial class CollisionSync(
    IKubernetes client,
    ManagedNamespaces namespaces,
    CollisionTrackers trackers,
    VirtualMachineInstanceCollisionController vmis,
    PodCollisionController pods,
    KubeVirtDiscovery discovery,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<CollisionSync>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!namespaces.NamespacesListed || namespaces.SelectorError is not null)
        {
            await Task.Delay(Poll, time, stoppingToken);
        }

        var running = new List<Task>
        {
            Start(ResourceClients.Pods(client), pods, stoppingToken),
            StartVirtualMachineInstancesAsync(stoppingToken),
            ReevaluateOnNamespaceChangesAsync(stoppingToken),
        };
        await Task.WhenAll(running);
    }

    private async Task StartVirtualMachineInstancesAsync(CancellationToken cancellationToken)
    {
        while (!await KubeVirtInstalledAsync(cancellationToken))
        {
            await Task.Delay(DiscoveryInterval, time, cancellationToken);
        }

        LogWatchingVmis(_logger);
        await Start(ResourceClients.VirtualMachineInstances(client), vmis, cancellationToken);
    }

    private async Task ReevaluateOnNamespaceChangesAsync(CancellationToken cancellationToken)
    {
        var seen = namespaces.Version;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(Poll, time, cancellationToken);
            var now = namespaces.Version;
            if (now != seen)
            {
                seen = now;
                trackers.VirtualMachineInstances.Reevaluate();
                trackers.Pods.Reevaluate();
            }
        }
    }

    private async Task<bool> KubeVirtInstalledAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await discovery.IsInstalledAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDiscoveryFailed(_logger, e);
            return false;
        }
    }

    private Task Start<T>(IResourceClient<T> source, IResourceEventHandler<T> handler, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var watcher = new ResourceWatcher<T>(source, handler, loggers.CreateLogger("KubeMacPool.Watch.Collisions." + source.Resource), time);
        return Task.Run(() => watcher.RunAsync(cancellationToken), cancellationToken);
    }

    [LoggerMessage(EventId = 1322, Level = LogLevel.Information, Message = "KubeVirt is served; watching VirtualMachineInstances for MAC collisions")]
    private static partial void LogWatchingVmis(ILogger logger);

    [LoggerMessage(EventId = 1323, Level = LogLevel.Warning, Message = "API discovery for the collision checks failed; retrying")]
    private static partial void LogDiscoveryFailed(ILogger logger, Exception exception);
}
