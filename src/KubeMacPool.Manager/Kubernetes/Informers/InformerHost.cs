using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// Runs every registered informer, each once, for the life of the process; KubeVirt kinds from the moment discovery
/// finds KubeVirt; secondary kinds once the primary ones are listed (a start is CPU-bound on small machines, and the
/// pool's readiness waits only on the primary lists). Consumers never start a watch of their own: they subscribe to,
/// and read, these.
/// </summary>
internal sealed class InformerHost(IEnumerable<IInformer> informers, KubeVirtDiscovery discovery) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var all = informers.Distinct().ToList();
        var primary = all.Where(i => !i.Secondary).ToList();
        var running = new List<Task>();

        // Discovery runs only where a KubeVirt kind is followed (not in the DHCP agent, say).
        if (all.Any(i => i.RequiresKubeVirt))
        {
            running.Add(Task.Run(() => discovery.RunAsync(stoppingToken), stoppingToken));
        }

        running.AddRange(primary.Select(i => RunAsync(i, stoppingToken)));
        running.Add(RunSecondaryAsync(primary, all.Where(i => i.Secondary).ToList(), stoppingToken));
        return Task.WhenAll(running);
    }

    private async Task RunSecondaryAsync(List<IInformer> primary, List<IInformer> secondary, CancellationToken cancellationToken)
    {
        await Task.WhenAll(primary.Select(ListedOrNotServedAsync)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(secondary.Select(i => RunAsync(i, cancellationToken)));
        }
    }

    /// <summary>A KubeVirt kind without KubeVirt will not be listed: secondary kinds do not wait for it.</summary>
    private async Task ListedOrNotServedAsync(IInformer informer)
    {
        if (!informer.RequiresKubeVirt || await discovery.FirstAnswer)
        {
            await informer.Synced;
        }
    }

    private async Task RunAsync(IInformer informer, CancellationToken cancellationToken)
    {
        if (informer.RequiresKubeVirt)
        {
            await discovery.Installed.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            await Task.Run(() => informer.RunAsync(cancellationToken), cancellationToken);
        }
    }
}
