using KubeMacPool.Core.Ipv4;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// Decides a reservation's address in <see cref="IpamState"/> and writes the outcome to its status when it changed;
/// a reservation left without an address gets a Warning Event (on it and on its VM) when the reason is new.
/// </summary>
internal sealed partial class ReservationStatusWriter(
    IpamState state,
    ReservationApi api,
    EventRecorder events,
    Informer<VirtualMachine> virtualMachines,
    TimeProvider time,
    ILogger<ReservationStatusWriter> logger)
{
    // Our last write per reservation while the cache still shows the version it was made on: deciding the same key
    // again before the watch catches up neither writes nor records the Event twice.
    private readonly Dictionary<string, (string? OnVersion, IpReservationStatus Status)> _unseen = new(StringComparer.Ordinal);

    /// <returns>False when the status write failed (logged).</returns>
    public async Task<bool> DecideAsync(string key, IpReservation reservation, CancellationToken cancellationToken)
    {
        var decision = state.Decide(reservation);
        var current = CurrentStatus(key, reservation);
        var previous = current?.Conditions?.FirstOrDefault(c => c.Type == IpReservation.AllocatedCondition);
        var status = new IpReservationStatus
        {
            ObservedGeneration = reservation.Metadata.Generation,
            Pool = decision.Pool,
            Address = decision.Address is { } a ? Ipv4.Format(a) : null,
            MacAddress = decision.Address is null ? null : reservation.Spec.MacAddress,
            Conditions =
            [
                GuardedWrite.Condition(IpReservation.AllocatedCondition, decision.Allocated, decision.Reason, decision.Message,
                    previous, reservation.Metadata.Generation, time),
            ],
        };
        if (SameStatus(current, status))
        {
            return true;
        }

        if (!await GuardedWrite.TryAsync(api.WriteStatusAsync(reservation, status, cancellationToken), key, logger, cancellationToken))
        {
            return false;
        }

        _unseen[key] = (reservation.Metadata.ResourceVersion, status);
        if (decision.Allocated)
        {
            LogAllocated(logger, key, status.Address!, decision.Pool!, reservation.Spec.MacAddress);
            return true;
        }

        LogNotAllocated(logger, key, decision.Reason, decision.Message);
        if (previous?.Reason != decision.Reason || previous.Message != decision.Message)
        {
            RecordWarning(reservation, decision);
        }

        return true;
    }

    public void Forget(string key) => _unseen.Remove(key);

    private IpReservationStatus? CurrentStatus(string key, IpReservation reservation)
    {
        if (_unseen.TryGetValue(key, out var written))
        {
            if (written.OnVersion == reservation.Metadata.ResourceVersion)
            {
                return written.Status;
            }

            _unseen.Remove(key);
        }

        return reservation.Status;
    }

    private void RecordWarning(IpReservation reservation, ReservationDecision decision)
    {
        var reason = decision.Reason == "PoolExhausted" ? "IPPoolExhausted" : decision.Reason;
        var ns = reservation.Metadata.NamespaceProperty;
        events.Record(new EventTarget(reservation.ApiVersion, reservation.Kind, ns, reservation.Metadata.Name, reservation.Metadata.Uid),
            EventRecorder.Warning, reason, decision.Message);
        if (virtualMachines.Cache.Get(ns, reservation.Spec.VirtualMachine) is { } vm)
        {
            events.Record(new EventTarget(vm.ApiVersion, vm.Kind, ns, vm.Metadata.Name, vm.Metadata.Uid),
                EventRecorder.Warning, reason, $"interface {reservation.Spec.Interface}: {decision.Message}");
        }
    }

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

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Reservation {Reservation}: {Address} in pool {Pool} for {Mac}")]
    private static partial void LogAllocated(ILogger logger, string reservation, string address, string pool, string mac);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Reservation {Reservation} has no address ({Reason}): {Message}")]
    private static partial void LogNotAllocated(ILogger logger, string reservation, string reason, string message);
}
