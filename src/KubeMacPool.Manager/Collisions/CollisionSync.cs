using k8s.Models;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// Feeds the collision checks from the shared pod and VMI informers (the VMI informer runs once KubeVirt is served),
/// once the pool is ready (its rebuild needs the CPU more; the namespaces and opt modes are known by then, so the
/// first list is judged correctly), and re-judges every object
/// when they change. Never blocks startup and never gates readiness: collisions are reported, not prevented.
/// </summary>
internal sealed class CollisionSync(
    ManagedNamespaces namespaces,
    CollisionTrackers trackers,
    Informer<V1Pod> podInformer,
    Informer<VirtualMachineInstance> vmiInformer,
    VirtualMachineInstanceCollisionController vmis,
    PodCollisionController pods,
    ReadinessGate readiness) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reported, not prevented: the pool's startup rebuild goes first (it needs the namespaces known too).
        await readiness.WhenFirstSatisfied(WellKnown.PoolReadiness).WaitAsync(stoppingToken);
        namespaces.Changed += Reevaluate;
        stoppingToken.Register(() => namespaces.Changed -= Reevaluate);
        await podInformer.SubscribeAsync(pods, stoppingToken);
        await vmiInformer.SubscribeAsync(vmis, stoppingToken);
    }

    private void Reevaluate()
    {
        trackers.VirtualMachineInstances.Reevaluate();
        trackers.Pods.Reevaluate();
    }
}
