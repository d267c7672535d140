using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.DhcpAgent;

/// <summary>
/// Follows the agent's IPPool and the reservations (the shared informers) and replaces the lease book's content on
/// every change: option edits reach the next reply (and renewals), new reservations are served at once, deleted ones
/// stop being served. Every change queues the same key, so a burst of changes is one refresh. A pool that is gone or
/// invalid silences the agent until it is back; nothing is sticky. The agent only reads.
/// </summary>
internal sealed partial class LeaseBookFeeder(
    DhcpLeaseBook book,
    Informer<IpPool> pools,
    Informer<IpReservation> reservations,
    IOptions<DhcpAgentOptions> options,
    TimeProvider time,
    ILogger<LeaseBookFeeder> logger) : BackgroundService, IReconciler<string>
{
    private const string RefreshKey = "lease-book";
    private const string ByPoolIndex = "dhcp-agent-reservations-by-pool";

    // Indexes must exist before the informer stores its first list; singletons are built before hosted services start.
    private readonly ObjectCache<IpReservation> _reservations = WithPoolIndex(reservations.Cache);
    private readonly WorkQueue<string> _queue = new(time);
    private volatile IReadOnlyDictionary<MacAddress, IpReservation> _sources = new Dictionary<MacAddress, IpReservation>();

    /// <summary>The reservation a served MAC comes from (for events about client reports).</summary>
    public IpReservation? ReservationOf(MacAddress mac) => _sources.GetValueOrDefault(mac);

    public ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        Refresh(options.Value.Pool);
        return ValueTask.FromResult(ReconcileResult.Done);
    }

    public override void Dispose()
    {
        _queue.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await pools.QueueInto(_queue, _ => [RefreshKey], stoppingToken);
        await reservations.QueueInto(_queue, _ => [RefreshKey], stoppingToken);
        await Task.WhenAll(pools.Synced, reservations.Synced).WaitAsync(stoppingToken);
        await new ReconcileLoop<string>("lease-book", _queue, this, logger).RunAsync(stoppingToken);
    }

    private void Refresh(string poolName)
    {
        if (pools.Cache.Get(poolName) is not { } pool)
        {
            if (book.IsReady)
            {
                LogPoolGone(logger, poolName);
            }

            book.Clear();
            return;
        }

        if (LeaseBookContent.Build(pool, _reservations.ByIndex(ByPoolIndex, poolName), out var error) is not { } content)
        {
            // The webhook refuses such pools; one written around it leaves the agent silent, saying why.
            LogPoolInvalid(logger, poolName, error!);
            book.Clear();
            return;
        }

        try
        {
            foreach (var skipped in book.Replace(content.Settings, content.Reservations))
            {
                // One bad entry (e.g. two MACs for one address) is left out alone; the rest of the pool is served.
                LogReservationSkipped(logger, poolName, skipped);
            }

            _sources = content.Sources;
            LogRefreshed(logger, poolName, content.Reservations.Count);
        }
        catch (ArgumentException e)
        {
            LogPoolInvalid(logger, poolName, e.Message);
        }
    }

    /// <summary>Reservations by the pool their status says they are in: an agent serves one pool of many.</summary>
    private static ObjectCache<IpReservation> WithPoolIndex(ObjectCache<IpReservation> cache)
    {
        cache.AddIndex(ByPoolIndex, r => r.Status?.Pool is { Length: > 0 } pool ? [pool] : []);
        return cache;
    }

    [LoggerMessage(EventId = 1250, Level = LogLevel.Debug, Message = "Serving pool {Pool}: {Count} reservations")]
    private static partial void LogRefreshed(ILogger logger, string pool, int count);

    [LoggerMessage(EventId = 1251, Level = LogLevel.Warning, Message = "Pool {Pool} does not exist (any more); not answering until it does")]
    private static partial void LogPoolGone(ILogger logger, string pool);

    [LoggerMessage(EventId = 1252, Level = LogLevel.Error, Message = "Pool {Pool} cannot be served: {Error}")]
    private static partial void LogPoolInvalid(ILogger logger, string pool, string error);

    [LoggerMessage(EventId = 1253, Level = LogLevel.Warning, Message = "Pool {Pool}: a reservation is not served: {Reason}")]
    private static partial void LogReservationSkipped(ILogger logger, string pool, string reason);
}
