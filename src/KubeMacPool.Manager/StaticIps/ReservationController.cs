using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// Keeps one IPReservation per VM interface on a pooled network and an address for each, with the state entirely in
/// the API: pools and reservation statuses are replayed into <see cref="IpamState"/> once the three shared caches
/// (pools, reservations, VMs) are listed, and only then does anything get written. Every change queues keys
/// (<see cref="ReservationKeys"/>) into one queue with one worker (<see cref="ReservationReconciler"/>): addresses are
/// decided in sequence, frees before allocations, pool statuses written only when they changed, Events when a pool
/// is exhausted. A failed write is retried with the key's backoff; nothing is ever sticky.
/// </summary>
internal sealed partial class ReservationController(
    Informer<IpPool> pools,
    Informer<IpReservation> reservations,
    Informer<VirtualMachine> virtualMachines,
    ReservationReconciler reconciler,
    ReadinessGate readiness,
    Leadership leadership,
    ILogger<ReservationController> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = reconciler.Queue;
        await pools.QueueInto(queue, ReservationKeys.Of, stoppingToken);
        await reservations.QueueInto(queue, ReservationKeys.Of, stoppingToken);
        await Task.WhenAll(pools.Synced, reservations.Synced, virtualMachines.Synced).WaitAsync(stoppingToken);

        // Reservations follow VMs: the pool's startup rebuild goes first.
        await readiness.WhenFirstSatisfied(WellKnown.PoolReadiness).WaitAsync(stoppingToken);
        reconciler.Replay();

        // After the replay, which says whether any pool exists: without one, only VMs that hold reservations are queued.
        await virtualMachines.QueueInto(queue, reconciler.KeysOf, stoppingToken);
        LogSynced(logger, pools.Cache.Count, reservations.Cache.Count, virtualMachines.Cache.Count);

        // One worker: IpamState decides addresses in sequence, and the writers keep what they last wrote.
        await new ReconcileLoop<string>("ip-reservations", queue, reconciler, logger, workers: 1, leaderOnly: leadership).RunAsync(stoppingToken);
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "IP reservations: {Pools} pools, {Reservations} reservations and {VirtualMachines} VMs listed; reconciling")]
    private static partial void LogSynced(ILogger logger, int pools, int reservations, int virtualMachines);
}
