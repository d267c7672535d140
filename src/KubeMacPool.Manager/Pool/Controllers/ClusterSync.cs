using k8s.Models;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Namespaces;
using KubeMacPool.Manager.Telemetry;

namespace KubeMacPool.Manager.Pool.Controllers;

/// <summary>
/// The startup rebuild, which gates readiness: the shared informers list every kind at once; the pool takes them in
/// dependency order: namespaces and the webhook opt modes first (they say what is managed), then VirtualMachines
/// (pods of VMs are theirs), then Pods. Only then is the pool complete and the service ready. Nothing else waits
/// here: other features read the same caches when they are ready. Without KubeVirt the service is ready for pods and
/// adds the VMs when discovery finds KubeVirt.
/// </summary>
internal sealed partial class ClusterSync(
    MacPool pool,
    ReadinessGate readiness,
    ManagedNamespaces namespaces,
    Informer<V1ConfigMap> rangeInformer,
    Informer<VirtualMachine> virtualMachineInformer,
    Informer<V1Pod> podInformer,
    VirtualMachineController virtualMachines,
    PodController pods,
    RangeConfigMapController rangeConfig,
    LegacyFinalizerRemover finalizers,
    HealLoop heal,
    RuleBreakerReport ruleBreakers,
    KubeVirtDiscovery discovery,
    ManagerMetrics metrics,
    TimeProvider time,
    ILogger<ClusterSync> logger) : BackgroundService
{
    public const string PoolReady = WellKnown.PoolReadiness;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Require(PoolReady, "pool manager not ready: rebuilding from the cluster");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        await rangeInformer.SubscribeAsync(rangeConfig, stoppingToken);

        // The reserved list and range apply before the first admission is answered.
        await rangeInformer.Synced.WaitAsync(stoppingToken);
        ReportSelectorError();
        namespaces.Changed += ReportSelectorError;
        await namespaces.Known.WaitAsync(stoppingToken);
        namespaces.Changed -= ReportSelectorError;

        var running = new List<Task> { finalizers.RunAsync(stoppingToken), heal.RunAsync(stoppingToken) };
        if (await discovery.FirstAnswer.WaitAsync(stoppingToken))
        {
            await StartVirtualMachinesAsync(stoppingToken);
        }
        else
        {
            running.Add(StartVirtualMachinesWhenKubeVirtAsync(stoppingToken));
        }

        // The pod list was read alongside the VMs; it is applied after them (launcher pods belong to VMs).
        await podInformer.SubscribeAsync(pods, stoppingToken);
        await podInformer.Synced.WaitAsync(stoppingToken);
        pool.Compact();
        ruleBreakers.Report();
        readiness.Satisfy(PoolReady);
        var elapsed = time.GetElapsedTime(started);
        metrics.RecordRebuild(elapsed);
        LogReady(logger, elapsed.TotalMilliseconds);

        // The startup lists were the largest allocation this process makes; give that memory back once.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        await Task.WhenAll(running);
    }

    private void ReportSelectorError()
    {
        if (namespaces.SelectorError is { } error)
        {
            readiness.Unsatisfy(PoolReady, "pool manager not ready: " + error);
        }
    }

    private async Task StartVirtualMachinesAsync(CancellationToken cancellationToken)
    {
        await virtualMachineInformer.SubscribeAsync(virtualMachines, cancellationToken);
        await virtualMachineInformer.Synced.WaitAsync(cancellationToken);
    }

    private async Task StartVirtualMachinesWhenKubeVirtAsync(CancellationToken cancellationToken)
    {
        await discovery.Installed.WaitAsync(cancellationToken);
        await StartVirtualMachinesAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "Pool rebuilt from the cluster in {Milliseconds} ms; ready")]
    private static partial void LogReady(ILogger logger, double milliseconds);
}
