using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Core.Ipv4;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Dhcp;

/// <summary>
/// Keeps one IPReservation per VM interface on a pooled network and an address for each, with the state entirely in
/// the API: pools and reservation statuses are replayed into <see cref="IpamState"/> once the three lists (pools,
/// reservations, VMs) are in, and only then does anything get written. One loop does every write, in order:
/// pools rebuilt, reservations decided (finalized ones freed first), VMs' reservation sets created/updated/deleted,
/// pool statuses summarized. A failed write is retried with backoff; nothing is ever sticky.
/// </summary>
internal sealed partial class ReservationController(
    IKubernetes client,
    IpamState state,
    ReservationApi api,
    EventRecorder events,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger = loggers.CreateLogger<ReservationController>();
    private readonly Channel<ControllerWork> _work = ControllerWorkChannel.Create();
    private readonly Dictionary<string, IpPool> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IpReservation> _reservations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VirtualMachine> _vms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _writtenPoolStatus = new(StringComparer.Ordinal);
    private bool _poolsListed;
    private bool _reservationsListed;
    private bool _vmsListed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watchers = new[]
        {
            _work.Writer.WatchInto(ResourceClients.IpPools(client), loggers, time, stoppingToken),
            _work.Writer.WatchInto(ResourceClients.IpReservations(client), loggers, time, stoppingToken),
            _work.Writer.WatchInto(ResourceClients.VirtualMachines(client), loggers, time, stoppingToken),
        };
        try
        {
            await RunLoopAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(watchers);
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        var synced = false;
        while (await _work.Reader.WaitToReadAsync(cancellationToken))
        {
            var batch = new Batch();
            while (_work.Reader.TryRead(out var item))
            {
                Apply(item, batch);
            }

            if (!_poolsListed || !_reservationsListed || !_vmsListed)
            {
                continue;
            }

            if (!synced)
            {
                synced = true;
                batch.PoolsChanged = true;
                LogSynced(_logger, _pools.Count, _reservations.Count, _vms.Count);
            }

            try
            {
                await ReconcileAsync(batch, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogReconcileFailed(_logger, e);
                ScheduleRetry(new ReservationRetry(null, null), cancellationToken);
            }
        }
    }

    /// <summary>What one batch of work touched.</summary>
    private sealed class Batch
    {
        public bool PoolsChanged { get; set; }

        public bool All { get; set; }

        public HashSet<string> Reservations { get; } = new(StringComparer.Ordinal);

        public HashSet<string> VirtualMachines { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Freed { get; } = new(StringComparer.Ordinal);
    }

    private void Apply(ControllerWork item, Batch batch)
    {
        switch (item)
        {
            case ControllerWork.Listed<IpPool> pools:
                Replace(_pools, pools.Items, p => p.Metadata.Name);
                _poolsListed = true;
                batch.PoolsChanged = true;
                break;
            case ControllerWork.Changed<IpPool> pool:
                // A status write (ours) leaves the generation alone: no rebuild for it.
                batch.PoolsChanged |= pool.Type != WatchEventType.Modified
                    || !_pools.TryGetValue(pool.Item.Metadata.Name, out var known)
                    || known.Metadata.Generation != pool.Item.Metadata.Generation;
                Update(_pools, pool.Type, pool.Item, pool.Item.Metadata.Name);
                break;
            case ControllerWork.Listed<IpReservation> reservations:
                foreach (var gone in _reservations.Keys.Except(reservations.Items.Select(IpamState.Key)).ToList())
                {
                    batch.Reservations.Add(gone);
                }

                Replace(_reservations, reservations.Items, IpamState.Key);
                _reservationsListed = true;
                batch.All = true;
                break;
            case ControllerWork.Changed<IpReservation> reservation:
                var key = IpamState.Key(reservation.Item);
                Update(_reservations, reservation.Type, reservation.Item, key);
                batch.Reservations.Add(key);
                batch.VirtualMachines.Add(reservation.Item.Metadata.NamespaceProperty + "/" + reservation.Item.Spec.VirtualMachine);
                break;
            case ControllerWork.Listed<VirtualMachine> vms:
                Replace(_vms, vms.Items, VmKey);
                _vmsListed = true;
                batch.All = true;
                break;
            case ControllerWork.Changed<VirtualMachine> vm:
                Update(_vms, vm.Type, vm.Item, VmKey(vm.Item));
                batch.VirtualMachines.Add(VmKey(vm.Item));
                break;
            case ReservationRetry retry:
                batch.All |= retry.ReservationKey is null && retry.VirtualMachineKey is null;
                if (retry.ReservationKey is { } r)
                {
                    batch.Reservations.Add(r);
                }

                if (retry.VirtualMachineKey is { } v)
                {
                    batch.VirtualMachines.Add(v);
                }

                break;
        }
    }

    private async Task ReconcileAsync(Batch batch, CancellationToken cancellationToken)
    {
        var touchedPools = new HashSet<string>(StringComparer.Ordinal);
        if (batch.PoolsChanged)
        {
            state.Rebuild(_pools.Values, _reservations.Values);
            batch.All = true;
            touchedPools.UnionWith(_pools.Keys);
            foreach (var gone in _writtenPoolStatus.Keys.Except(_pools.Keys).ToList())
            {
                _writtenPoolStatus.Remove(gone);
            }
        }

        var reservationKeys = batch.All ? [.. _reservations.Keys.Union(batch.Reservations)] : batch.Reservations.ToList();
        var vmKeys = batch.All
            ? [.. _vms.Keys.Union(_reservations.Values.Select(r => r.Metadata.NamespaceProperty + "/" + r.Spec.VirtualMachine)).Union(batch.VirtualMachines)]
            : batch.VirtualMachines.ToList();

        // Frees first, so that addresses released in this batch can serve reservations waiting in it.
        var freed = false;
        foreach (var key in reservationKeys.Where(k => !_reservations.TryGetValue(k, out var r) || r.Metadata.DeletionTimestamp is not null))
        {
            if (state.Release(key) is { } pool)
            {
                touchedPools.Add(pool);
                freed = true;
            }

            if (_reservations.TryGetValue(key, out var deleting))
            {
                await Guard(api.RemoveFinalizerAsync(deleting, cancellationToken), key, null, cancellationToken);
                LogReleased(_logger, key);
            }
        }

        var pending = freed && !batch.All
            ? _reservations.Where(r => IsWaiting(r.Value)).Select(r => r.Key)
            : [];
        foreach (var key in reservationKeys.Union(pending).Distinct(StringComparer.Ordinal))
        {
            if (_reservations.TryGetValue(key, out var reservation) && reservation.Metadata.DeletionTimestamp is null)
            {
                if (!state.IsPooled(reservation.Spec.Network))
                {
                    // Its pool is gone: the VM pass below deletes the reservation; no condition or event for that.
                    touchedPools.UnionWith(new[] { state.Release(key) }.OfType<string>());
                    continue;
                }

                var before = state.PoolOf(key);
                await DecideAsync(key, reservation, cancellationToken);
                touchedPools.UnionWith(new[] { before, state.PoolOf(key) }.OfType<string>());
            }
        }

        foreach (var key in vmKeys.Distinct(StringComparer.Ordinal))
        {
            await ReconcileVirtualMachineAsync(key, cancellationToken);
        }

        foreach (var pool in touchedPools)
        {
            await WritePoolStatusAsync(pool, cancellationToken);
        }
    }

    private static bool IsWaiting(IpReservation reservation) =>
        reservation.Metadata.DeletionTimestamp is null
        && reservation.Status?.Conditions?.FirstOrDefault(c => c.Type == IpReservation.AllocatedCondition) is not { Status: "True" };

    private async Task DecideAsync(string key, IpReservation reservation, CancellationToken cancellationToken)
    {
        var decision = state.Decide(reservation);
        var previous = reservation.Status?.Conditions?.FirstOrDefault(c => c.Type == IpReservation.AllocatedCondition);
        var status = new IpReservationStatus
        {
            ObservedGeneration = reservation.Metadata.Generation,
            Pool = decision.Pool,
            Address = decision.Address is { } a ? Ipv4.Format(a) : null,
            MacAddress = decision.Address is null ? null : reservation.Spec.MacAddress,
            Conditions =
            [
                Condition(IpReservation.AllocatedCondition, decision.Allocated, decision.Reason, decision.Message, previous, reservation.Metadata.Generation),
            ],
        };
        if (SameStatus(reservation.Status, status))
        {
            return;
        }

        await Guard(api.WriteStatusAsync(reservation, status, cancellationToken), key, null, cancellationToken);
        if (decision.Allocated)
        {
            LogAllocated(_logger, key, status.Address!, decision.Pool!, reservation.Spec.MacAddress);
            return;
        }

        LogNotAllocated(_logger, key, decision.Reason, decision.Message);
        if (previous?.Reason != decision.Reason || previous.Message != decision.Message)
        {
            var reason = decision.Reason == "PoolExhausted" ? "IPPoolExhausted" : decision.Reason;
            events.Record(new EventTarget(reservation.ApiVersion, reservation.Kind, reservation.Metadata.NamespaceProperty, reservation.Metadata.Name, reservation.Metadata.Uid),
                EventRecorder.Warning, reason, decision.Message);
            if (_vms.TryGetValue(reservation.Metadata.NamespaceProperty + "/" + reservation.Spec.VirtualMachine, out var vm))
            {
                events.Record(new EventTarget(vm.ApiVersion, vm.Kind, vm.Metadata.NamespaceProperty, vm.Metadata.Name, vm.Metadata.Uid),
                    EventRecorder.Warning, reason, $"interface {reservation.Spec.Interface}: {decision.Message}");
            }
        }
    }

    private async Task ReconcileVirtualMachineAsync(string key, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = (key[..slash], key[(slash + 1)..]);
        var existing = _reservations.Values
            .Where(r => r.Metadata.NamespaceProperty == ns && r.Spec.VirtualMachine == name && r.Metadata.DeletionTimestamp is null)
            .ToList();
        if (!_vms.TryGetValue(key, out var vm) || vm.Metadata.DeletionTimestamp is not null)
        {
            // Garbage collection does this too (ownerReference); doing it here covers clusters without it.
            foreach (var orphan in existing)
            {
                await Guard(api.DeleteAsync(orphan, cancellationToken), null, key, cancellationToken);
            }

            return;
        }

        var desired = DesiredReservations.For(ns, name, vm.Spec, PinnedIpAnnotation.ReadOrEmpty(vm.Metadata.Annotations), state.IsPooled);
        foreach (var reservation in existing)
        {
            var wanted = desired.FirstOrDefault(d => d.Name == reservation.Metadata.Name);
            var ownedByThisVm = reservation.Metadata.OwnerReferences?.Any(o => o.Uid == vm.Metadata.Uid) ?? false;
            if (wanted is null || !ownedByThisVm)
            {
                // An interface removed or moved off a pooled network, or a leftover of an earlier VM of this name.
                await Guard(api.DeleteAsync(reservation, cancellationToken), null, key, cancellationToken);
            }
            else if (reservation.Spec.MacAddress != wanted.MacAddress || reservation.Spec.Network != wanted.Network
                     || reservation.Spec.Interface != wanted.Interface || reservation.Spec.IpAddress != wanted.PinnedIp)
            {
                await Guard(api.UpdateSpecAsync(reservation, name, wanted, cancellationToken), null, key, cancellationToken);
            }
        }

        foreach (var wanted in desired)
        {
            // A reservation of that name still being finalized is re-created once it is gone (its DELETED event).
            if (!_reservations.ContainsKey(ns + "/" + wanted.Name))
            {
                await Guard(api.CreateAsync(vm, wanted, cancellationToken), null, key, cancellationToken);
            }
        }
    }

    private async Task WritePoolStatusAsync(string poolName, CancellationToken cancellationToken)
    {
        if (state.Snapshot(poolName) is not { } snapshot)
        {
            return;
        }

        var previous = snapshot.Pool.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        var valid = snapshot.Validation.IsValid;
        var status = new IpPoolStatus
        {
            ObservedGeneration = snapshot.Pool.Metadata.Generation,
            Allocated = snapshot.Allocated.ToDictionary(
                a => a.Key, a => new IpPoolAllocation { Mac = a.Value.Mac, Reservation = a.Value.Reservation }, StringComparer.Ordinal),
            Excluded = [.. snapshot.Excluded],
            Used = snapshot.Used,
            Available = snapshot.Available,
            Conditions =
            [
                Condition("Ready", valid, valid ? "Valid" : "InvalidSpec",
                    valid ? string.Join("; ", snapshot.Validation.Notes.DefaultIfEmpty("the pool is valid")) : snapshot.Validation.ErrorMessage,
                    previous, snapshot.Pool.Metadata.Generation),
            ],
        };
        var json = KubernetesJson.Serialize(status);
        var current = _writtenPoolStatus.GetValueOrDefault(poolName) ?? (snapshot.Pool.Status is null ? null : KubernetesJson.Serialize(snapshot.Pool.Status));
        if (json == current)
        {
            return;
        }

        await Guard(api.WritePoolStatusAsync(poolName, status, cancellationToken), null, null, cancellationToken);
        _writtenPoolStatus[poolName] = json;
    }

    private static V1Condition Condition(string type, bool ok, string reason, string message, V1Condition? previous, long? generation) => new()
    {
        Type = type,
        Status = ok ? "True" : "False",
        Reason = reason,
        Message = message,
        ObservedGeneration = generation,
        LastTransitionTime = previous?.Status == (ok ? "True" : "False") && previous.LastTransitionTime is { } since
            ? since
            : DateTime.UtcNow,
    };

    private static bool SameStatus(IpReservationStatus? current, IpReservationStatus desired)
    {
        if (current is null)
        {
            return false;
        }

        var a = current.Conditions?.FirstOrDefault();
        var b = desired.Conditions![0];
        return current.Pool == desired.Pool && current.Address == desired.Address && current.MacAddress == desired.MacAddress
               && current.ObservedGeneration == desired.ObservedGeneration
               && a?.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message;
    }

    /// <summary>Runs one write; on failure logs it and schedules another look at what it was for.</summary>
    private async Task Guard(Task write, string? reservationKey, string? vmKey, CancellationToken cancellationToken)
    {
        try
        {
            await write;
        }
        catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogWriteFailed(_logger, reservationKey ?? vmKey ?? "pool status", (int)e.Response.StatusCode, e.Response.Content);
            ScheduleRetry(new ReservationRetry(reservationKey, vmKey), cancellationToken);
        }
        catch (HttpRequestException e)
        {
            LogWriteUnreachable(_logger, reservationKey ?? vmKey ?? "pool status", e);
            ScheduleRetry(new ReservationRetry(reservationKey, vmKey), cancellationToken);
        }
    }

    private void ScheduleRetry(ReservationRetry retry, CancellationToken cancellationToken) =>
        _ = Task.Delay(RetryDelay, time, cancellationToken)
            .ContinueWith(_ => _work.Writer.TryWrite(retry), cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private static string VmKey(VirtualMachine vm) => vm.Metadata.NamespaceProperty + "/" + vm.Metadata.Name;

    private static void Replace<T>(Dictionary<string, T> cache, IEnumerable<T> items, Func<T, string> key)
    {
        cache.Clear();
        foreach (var item in items)
        {
            cache[key(item)] = item;
        }
    }

    private static void Update<T>(Dictionary<string, T> cache, WatchEventType type, T item, string key)
    {
        if (type == WatchEventType.Deleted)
        {
            cache.Remove(key);
        }
        else
        {
            cache[key] = item;
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "IP reservations: {Pools} pools, {Reservations} reservations and {VirtualMachines} VMs listed; reconciling")]
    private static partial void LogSynced(ILogger logger, int pools, int reservations, int virtualMachines);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Reservation {Reservation}: {Address} in pool {Pool} for {Mac}")]
    private static partial void LogAllocated(ILogger logger, string reservation, string address, string pool, string mac);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Reservation {Reservation} has no address ({Reason}): {Message}")]
    private static partial void LogNotAllocated(ILogger logger, string reservation, string reason, string message);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Reservation {Reservation} released")]
    private static partial void LogReleased(ILogger logger, string reservation);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Write for {Target} failed with {Status}: {Body}; retrying")]
    private static partial void LogWriteFailed(ILogger logger, string target, int status, string body);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Write for {Target} could not reach the API server; retrying")]
    private static partial void LogWriteUnreachable(ILogger logger, string target, Exception exception);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Error, Message = "IP reservation reconcile failed; retrying everything")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
