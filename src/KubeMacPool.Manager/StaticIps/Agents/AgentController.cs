using k8s.Models;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.StaticIps.Agents;

/// <summary>
/// Runs each IPPool's DHCP agent (<see cref="AgentReconciler"/>), keyed by pool name: a pool's change queues it, an
/// agent Deployment's change queues the pool that owns it (or whose name its label carries, for a hand-made one that
/// blocks the name), and a NetworkAttachmentDefinition's arrival queues the pools of that network.
/// </summary>
internal sealed partial class AgentController(
    Informer<IpPool> pools,
    Informer<V1Deployment> deployments,
    Informer<NetworkAttachmentDefinition> networks,
    AgentReconciler reconciler,
    Leadership leadership,
    ILogger<AgentController> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = reconciler.Queue;
        await pools.QueueInto(queue, pool => [pool.Metadata.Name], stoppingToken);
        await deployments.QueueInto(queue, PoolsOf, stoppingToken);
        await networks.QueueInto(queue, PoolsOn, stoppingToken);
        await Task.WhenAll(pools.Synced, deployments.Synced, networks.Synced).WaitAsync(stoppingToken);
        LogSynced(logger, pools.Cache.Count, reconciler.Namespace);
        await new ReconcileLoop<string>("dhcp-agents", queue, reconciler, logger, leaderOnly: leadership).RunAsync(stoppingToken);
    }

    private static IEnumerable<string> PoolsOf(V1Deployment deployment)
    {
        if (AgentDeployment.PoolOf(deployment)?.Name is { } owner)
        {
            yield return owner;
        }

        if (deployment.Metadata.Labels.ValueOrNull(WellKnown.IpPoolLabel) is { Length: > 0 } labelled)
        {
            yield return labelled;
        }
    }

    // Pools are few (one per network segment): a scan per NAD event is cheaper than another index.
    private IEnumerable<string> PoolsOn(NetworkAttachmentDefinition nad) =>
        pools.Cache.List()
            .Where(p => AgentDeployment.NetworkOf(p) is { } n && n.Namespace == nad.Metadata.NamespaceProperty && n.Name == nad.Metadata.Name)
            .Select(p => p.Metadata.Name);

    [LoggerMessage(EventId = 1234, Level = LogLevel.Information, Message = "DHCP agents: {Pools} pools listed; keeping their agents in namespace {Namespace}")]
    private static partial void LogSynced(ILogger logger, int pools, string @namespace);
}
