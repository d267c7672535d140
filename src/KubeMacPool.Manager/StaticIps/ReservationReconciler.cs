using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// The reservation controller as a function of one key (<see cref="ReservationKeys"/>), run by one worker so that
/// <see cref="IpamState"/> changes in sequence.
/// <list type="bullet">
/// <item><c>pool:NAME</c>: when any pool was added, removed or its spec changed (uid, generation), replays every pool
/// and reservation into IpamState and looks at every key again; otherwise writes the pool's status if it changed.</item>
/// <item><c>reservation:NS/NAME</c>: frees what a gone or deleted reservation held, removes its finalizer and lets the
/// reservations waiting for an address try again; or decides the reservation's address, after freeing what
/// reservations being deleted hold (frees come before allocations).</item>
/// <item><c>vm:NS/NAME</c>: creates, updates and deletes the VM's reservations.</item>
/// </list>
/// A failed write retries its key with backoff; nothing is sticky.
/// </summary>
internal sealed partial class ReservationReconciler(
    IpamState state,
    ReservationApi api,
    Informer<IpPool> pools,
    ReservationCache reservations,
    Informer<VirtualMachine> virtualMachines,
    ReservationStatusWriter reservationStatuses,
    PoolStatusWriter poolStatuses,
    VirtualMachineReservations virtualMachineReservations,
    TimeProvider time,
    ILogger<ReservationReconciler> logger) : IReconciler<string>, IDisposable
{
    // What IpamState was last built from: a pool event that changes none of these is a status write (ours).
    private readonly Dictionary<string, (string? Uid, long? Generation)> _replayed = new(StringComparer.Ordinal);

    public WorkQueue<string> Queue { get; } = new(time);

    /// <summary>
    /// A VM's key when the VM can matter: a pool exists, or the VM holds reservations. Without either it has nothing to
    /// want (and a pool's arrival queues every VM), so a start on a cluster without pools queues none of its VMs.
    /// </summary>
    public IEnumerable<string> KeysOf(VirtualMachine vm) =>
        state.HasPools || reservations.OfVirtualMachine(ObjectCache<VirtualMachine>.KeyOf(vm)).Count > 0 ? ReservationKeys.Of(vm) : [];

    /// <summary>
    /// Replays the pools and the reservations' recorded addresses into IpamState. Reservations being deleted are left
    /// out: their addresses are free for the reservations decided after this, as if freed first.
    /// </summary>
    public void Replay()
    {
        var current = pools.Cache.List();
        state.Rebuild(current, reservations.List().Where(r => r.Metadata.DeletionTimestamp is null));
        _replayed.Clear();
        foreach (var pool in current)
        {
            _replayed[pool.Metadata.Name] = Signature(pool);
        }

        poolStatuses.Retain(current);
    }

    public async ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var target = ReservationKeys.Parse(key);
        var ok = target.Kind switch
        {
            ReservationKeyKind.Pool => await ReconcilePoolAsync(target.Name, cancellationToken),
            ReservationKeyKind.Reservation => await ReconcileReservationAsync(target.Name, cancellationToken),
            _ => await virtualMachineReservations.SyncAsync(target.Name, cancellationToken),
        };
        return ok ? ReconcileResult.Done : ReconcileResult.Failed;
    }

    public void Dispose() => Queue.Dispose();

    private async Task<bool> ReconcilePoolAsync(string name, CancellationToken cancellationToken)
    {
        if (!PoolSpecsChanged())
        {
            return await poolStatuses.WriteAsync(name, cancellationToken);
        }

        Replay();
        LogReplayed(logger, _replayed.Count, reservations.Count);

        // Every reservation is decided again (a grown pool serves waiting ones, a shrunk one moves some), every VM's
        // set follows the pooled networks, and the pool statuses come last.
        foreach (var reservation in reservations.List())
        {
            Enqueue(ReservationKeys.Of(reservation));
        }

        foreach (var vm in virtualMachines.Cache.List())
        {
            Enqueue(ReservationKeys.Of(vm));
        }

        foreach (var pool in pools.Cache.List())
        {
            Enqueue(ReservationKeys.Of(pool));
        }

        return true;
    }

    private bool PoolSpecsChanged()
    {
        var current = pools.Cache.List();
        return current.Count != _replayed.Count
               || current.Any(p => !_replayed.TryGetValue(p.Metadata.Name, out var replayed) || replayed != Signature(p));
    }

    private async Task<bool> ReconcileReservationAsync(string key, CancellationToken cancellationToken)
    {
        var reservation = reservations.Get(key);
        if (reservation is null || reservation.Metadata.DeletionTimestamp is not null)
        {
            Freed(state.Release(key));
            reservationStatuses.Forget(key);
            if (reservation is null)
            {
                return true;
            }

            if (!await GuardedWrite.TryAsync(api.RemoveFinalizerAsync(reservation, cancellationToken), key, logger, cancellationToken))
            {
                return false;
            }

            LogReleased(logger, key);
            return true;
        }

        if (!state.IsPooled(reservation.Spec.Network))
        {
            // Its pool is gone: the VM's pass deletes the reservation; no condition or event for that.
            EnqueuePool(state.Release(key));
            return true;
        }

        foreach (var deleting in reservations.BeingDeleted())
        {
            Freed(state.Release(IpamState.Key(deleting)));
        }

        var before = state.PoolOf(key);
        var ok = await reservationStatuses.DecideAsync(key, reservation, cancellationToken);
        EnqueuePool(before);
        EnqueuePool(state.PoolOf(key));
        return ok;
    }

    /// <summary>An address was freed in <paramref name="pool"/>: its status changes and waiting reservations may get it.</summary>
    private void Freed(string? pool)
    {
        if (pool is null)
        {
            return;
        }

        EnqueuePool(pool);
        foreach (var waiting in reservations.WaitingForAddress())
        {
            Queue.Add(ReservationKeys.Reservation(IpamState.Key(waiting)));
        }
    }

    private void EnqueuePool(string? pool)
    {
        if (pool is not null)
        {
            Queue.Add(ReservationKeys.Pool(pool));
        }
    }

    private void Enqueue(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            Queue.Add(key);
        }
    }

    private static (string? Uid, long? Generation) Signature(IpPool pool) => (pool.Metadata.Uid, pool.Metadata.Generation);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Reservation {Reservation} released")]
    private static partial void LogReleased(ILogger logger, string reservation);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Information, Message = "IP pools changed: allocation state replayed from {Pools} pools and {Reservations} reservations")]
    private static partial void LogReplayed(ILogger logger, int pools, int reservations);
}
