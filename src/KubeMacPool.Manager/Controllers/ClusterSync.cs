using k8s;
using k8s.Models;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Watching;
using KubeMacPool.Manager.Namespaces;
using KubeMacPool.Manager.Telemetry;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Controllers;

/// <summary>
/// Starts every watch in dependency order and gates readiness on the startup rebuild: namespaces and the webhook
/// opt modes first (they say what is managed), then VirtualMachines (pods of VMs are theirs), then Pods. Only then
/// is the pool complete and the service ready. KubeVirt is found by discovery; without it the service runs for
/// pods and keeps looking, starting the VM side when KubeVirt appears.
/// </summary>
internal sealed partial class ClusterSync(
    IKubernetes client,
    MacPool pool,
    ReadinessGate readiness,
    ManagedNamespaces namespaces,
    VirtualMachineController virtualMachines,
    PodController pods,
    RangeConfigMapController rangeConfig,
    HealLoop heal,
    KubeVirtDiscovery discovery,
    ManagerMetrics metrics,
    IOptions<ManagerOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    public const string PoolReady = "pool";
    private static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<ClusterSync>();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Require(PoolReady, "pool manager not ready: rebuilding from the cluster");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        var running = new List<Task>();
        var namespaceWatch = Start(ResourceClients.Namespaces(client), namespaces, running, stoppingToken);
        var webhookWatch = Start(ResourceClients.MutatingWebhookConfiguration(client, ManagedNamespaces.ConfigurationName), namespaces, running, stoppingToken);
        Start(ResourceClients.ConfigMap(client, options.Value.PodNamespace!, RangeConfigMapController.Name), rangeConfig, running, stoppingToken);
        await Task.WhenAll(namespaceWatch.Synced, webhookWatch.Synced).WaitAsync(stoppingToken);
        while (namespaces.SelectorError is { } error)
        {
            readiness.Unsatisfy(PoolReady, "pool manager not ready: " + error);
            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
        }

        // Pods are listed while the VMs are (the two lists dominate startup) but applied after them.
        var virtualMachinesKnown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var podWatch = Start(ResourceClients.Pods(client), new GatedHandler<V1Pod>(pods, () => virtualMachinesKnown.Task), running, stoppingToken);
        if (await KubeVirtInstalledAsync(stoppingToken))
        {
            await StartVirtualMachinesAsync(running, stoppingToken);
        }
        else
        {
            LogNoKubeVirt(_logger);
            running.Add(WaitForKubeVirtAsync(stoppingToken));
        }

        virtualMachinesKnown.TrySetResult();
        await podWatch.Synced.WaitAsync(stoppingToken);
        pool.Compact();
        readiness.Satisfy(PoolReady);
        var elapsed = time.GetElapsedTime(started);
        metrics.RecordRebuild(elapsed);
        LogReady(_logger, elapsed.TotalMilliseconds);

        // The startup lists were the largest allocation this process makes; give that memory back once.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        await Task.WhenAll(running);
    }

    private async Task StartVirtualMachinesAsync(List<Task> running, CancellationToken cancellationToken)
    {
        var vmWatch = Start(ResourceClients.VirtualMachines(client), virtualMachines, running, cancellationToken);
        await vmWatch.Synced.WaitAsync(cancellationToken);
        running.Add(heal.RunAsync(cancellationToken));
    }

    private async Task WaitForKubeVirtAsync(CancellationToken cancellationToken)
    {
        while (!await KubeVirtInstalledAsync(cancellationToken))
        {
            await Task.Delay(DiscoveryInterval, time, cancellationToken);
        }

        LogKubeVirtAppeared(_logger);

        // ExecuteAsync already awaits the list it was given; the VM side started late is awaited here instead.
        var virtualMachineSide = new List<Task>();
        await StartVirtualMachinesAsync(virtualMachineSide, cancellationToken);
        await Task.WhenAll(virtualMachineSide);
    }

    private async Task<bool> KubeVirtInstalledAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await discovery.IsInstalledAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDiscoveryFailed(_logger, e);
                await Task.Delay(DiscoveryInterval, time, cancellationToken);
            }
        }
    }

    private ResourceWatcher<T> Start<T>(IResourceClient<T> source, IResourceEventHandler<T> handler, List<Task> running, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var watcher = new ResourceWatcher<T>(source, handler, loggers.CreateLogger("KubeMacPool.Watch." + source.Resource), time);
        running.Add(Task.Run(() => watcher.RunAsync(cancellationToken), cancellationToken));
        return watcher;
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "Pool rebuilt from the cluster in {Milliseconds} ms; ready")]
    private static partial void LogReady(ILogger logger, double milliseconds);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "KubeVirt (kubevirt.io/v1) is not installed; serving pods only and checking every 5 s")]
    private static partial void LogNoKubeVirt(ILogger logger);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "KubeVirt appeared; starting the virtual machine controllers")]
    private static partial void LogKubeVirtAppeared(ILogger logger);

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "API discovery failed; retrying")]
    private static partial void LogDiscoveryFailed(ILogger logger, Exception exception);
}
