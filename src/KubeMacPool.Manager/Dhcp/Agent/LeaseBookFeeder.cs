using System.Threading.Channels;
using k8s;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Dhcp.Agent;

/// <summary>
/// Watches the agent's IPPool and the reservations, and replaces the lease book's content on every change: option
/// edits reach the next reply (and renewals), new reservations are served at once, deleted ones stop being served.
/// A pool that is gone or invalid silences the agent until it is back; nothing is sticky. The agent only reads.
/// </summary>
internal sealed partial class LeaseBookFeeder(
    IKubernetes client,
    DhcpLeaseBook book,
    IOptions<DhcpAgentOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<LeaseBookFeeder>();
    private readonly Channel<ControllerWork> _work = ControllerWorkChannel.Create();
    private readonly Dictionary<string, IpReservation> _reservations = new(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<MacAddress, IpReservation> _sources = new Dictionary<MacAddress, IpReservation>();
    private IpPool? _pool;
    private bool _poolListed;
    private bool _reservationsListed;

    /// <summary>The reservation a served MAC comes from (for events about client reports).</summary>
    public IpReservation? ReservationOf(MacAddress mac) => _sources.GetValueOrDefault(mac);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poolName = options.Value.Pool;
        var watchers = new[]
        {
            _work.Writer.WatchInto(ResourceClients.IpPools(client, poolName), loggers, time, stoppingToken),
            _work.Writer.WatchInto(ResourceClients.IpReservations(client), loggers, time, stoppingToken),
        };
        try
        {
            while (await _work.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_work.Reader.TryRead(out var item))
                {
                    Apply(item);
                }

                if (_poolListed && _reservationsListed)
                {
                    Refresh(poolName);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(watchers);
    }

    private void Apply(ControllerWork item)
    {
        switch (item)
        {
            case ControllerWork.Listed<IpPool> pools:
                _pool = pools.Items.Count > 0 ? pools.Items[0] : null;
                _poolListed = true;
                break;
            case ControllerWork.Changed<IpPool> pool:
                _pool = pool.Type == WatchEventType.Deleted ? null : pool.Item;
                break;
            case ControllerWork.Listed<IpReservation> reservations:
                _reservations.Clear();
                foreach (var r in reservations.Items)
                {
                    _reservations[IpamState.Key(r)] = r;
                }

                _reservationsListed = true;
                break;
            case ControllerWork.Changed<IpReservation> reservation when reservation.Type == WatchEventType.Deleted:
                _reservations.Remove(IpamState.Key(reservation.Item));
                break;
            case ControllerWork.Changed<IpReservation> reservation:
                _reservations[IpamState.Key(reservation.Item)] = reservation.Item;
                break;
        }
    }

    private void Refresh(string poolName)
    {
        if (_pool is null)
        {
            if (book.IsReady)
            {
                LogPoolGone(_logger, poolName);
            }

            book.Clear();
            return;
        }

        if (LeaseBookContent.Build(_pool, _reservations.Values, out var error) is not { } content)
        {
            // The webhook refuses such pools; one written around it leaves the agent silent, saying why.
            LogPoolInvalid(_logger, poolName, error!);
            book.Clear();
            return;
        }

        try
        {
            foreach (var skipped in book.Replace(content.Settings, content.Reservations))
            {
                // One bad entry (e.g. two MACs for one address) is left out alone; the rest of the pool is served.
                LogReservationSkipped(_logger, poolName, skipped);
            }

            _sources = content.Sources;
            LogRefreshed(_logger, poolName, content.Reservations.Count);
        }
        catch (ArgumentException e)
        {
            LogPoolInvalid(_logger, poolName, e.Message);
        }
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
