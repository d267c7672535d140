using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// Runs every registered informer, each once, for the life of the process; KubeVirt kinds from the moment discovery
/// finds KubeVirt. Consumers never start a watch of their own: they subscribe to, and read, these.
/// </summary>
internal sealed class InformerHost(IEnumerable<IInformer> informers, KubeVirtDiscovery discovery) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var all = informers.Distinct().ToList();
        var running = new List<Task>();

        // Discovery runs only where a KubeVirt kind is followed (not in the DHCP agent, say).
        if (all.Any(i => i.RequiresKubeVirt))
        {
            running.Add(Task.Run(() => discovery.RunAsync(stoppingToken), stoppingToken));
        }

        foreach (var informer in all)
        {
            running.Add(informer.RequiresKubeVirt
                ? RunWhenKubeVirtAsync(informer, stoppingToken)
                : Task.Run(() => informer.RunAsync(stoppingToken), stoppingToken));
        }

        return Task.WhenAll(running);
    }

    private async Task RunWhenKubeVirtAsync(IInformer informer, CancellationToken cancellationToken)
    {
        await discovery.Installed.WaitAsync(cancellationToken);
        await informer.RunAsync(cancellationToken);
    }
}
