using k8s;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.PersistentIps;

/// <summary>
/// Keeps one IPAMClaim per persistent network of every VMI (ipam-extensions' VM and VMI controllers in one): the shared
/// VM, VMI, NAD and claim informers queue the <c>namespace/name</c> keys their changes concern (<see cref="ClaimKeys"/>),
/// and <see cref="ClaimReconciler"/> looks at each key from the caches once all four have listed. Without KubeVirt,
/// Multus or the IPAMClaim CRD some informer never lists, and there is nothing to do.
/// </summary>
internal sealed partial class ClaimController(
    Informer<VirtualMachine> virtualMachines,
    Informer<VirtualMachineInstance> instances,
    Informer<NetworkAttachmentDefinition> nads,
    Informer<IpamClaim> claims,
    ClaimReconciler reconciler,
    ClaimProblems problems,
    ReadinessGate readiness,
    Leadership leadership,
    TimeProvider time,
    ILogger<ClaimController> logger) : BackgroundService
{
    private const int Workers = 2;

    private readonly WorkQueue<string> _queue = new(time);

    public override void Dispose()
    {
        _queue.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ClaimKeys.AddIndexes(claims.Cache, instances.Cache);
        try
        {
            await virtualMachines.QueueInto(_queue, vm => ClaimKeys.ForVirtualMachine(vm, claims.Cache, instances.Cache), stoppingToken);
            await instances.QueueInto(_queue, ClaimKeys.ForInstance, stoppingToken);
            await claims.QueueInto(_queue, ClaimKeys.ForClaim, stoppingToken);
            await nads.SubscribeAsync(new NadChanges(_queue, instances.Cache, problems), stoppingToken);
            await Task.WhenAll(virtualMachines.Synced, instances.Synced, nads.Synced, claims.Synced).WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        LogSynced(logger, virtualMachines.Cache.Count, instances.Cache.Count, nads.Cache.Count, claims.Cache.Count);
        // Claims follow VMs that already run: the pool's startup rebuild goes first.
        await readiness.WhenFirstSatisfied(WellKnown.PoolReadiness).WaitAsync(stoppingToken);
        await new ReconcileLoop<string>("ipam-claims", _queue, reconciler, logger, Workers, leadership).RunAsync(stoppingToken);
    }

    /// <summary>Queues the keys a NAD concerns; a changed NAD whose config cannot be read is also an Event on it.</summary>
    private sealed class NadChanges(WorkQueue<string> queue, ObjectCache<VirtualMachineInstance> instances, ClaimProblems problems)
        : IResourceEventHandler<NetworkAttachmentDefinition>
    {
        public ValueTask OnListedAsync(IReadOnlyList<NetworkAttachmentDefinition> items, CancellationToken cancellationToken)
        {
            // A (re)list may hide any change: every VMI is looked at again (the reconciles are cache-only unless something differs).
            foreach (var key in instances.Keys())
            {
                queue.Add(key);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask OnEventAsync(WatchEventType type, NetworkAttachmentDefinition item, CancellationToken cancellationToken)
        {
            if (type != WatchEventType.Deleted)
            {
                problems.OnNadChanged(item);
            }

            foreach (var key in ClaimKeys.ForNad(item, instances))
            {
                queue.Add(key);
            }

            return ValueTask.CompletedTask;
        }
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "IPAM claims: {VirtualMachines} VMs, {Instances} VMIs, {Nads} NADs and {Claims} claims listed; reconciling")]
    private static partial void LogSynced(ILogger logger, int virtualMachines, int instances, int nads, int claims);
}
