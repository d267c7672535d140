using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Core.Pool;

// Reservation: the all-or-nothing transaction a webhook call makes, its dry run and its undo.
public sealed partial class MacPool
{
    /// <summary>
    /// Reserves MACs for one object's interfaces. All or nothing: on any error no entry of this call remains.
    /// Requested MACs are registered before any allocation, so an allocated MAC is never one the same request asks
    /// for. Every entry made or touched gets <paramref name="pendingSince"/> (null: committed at once). With
    /// <paramref name="dryRun"/> the answer is computed (allocations included) and then undone; the allocation
    /// cursor still moves on, as upstream's does.
    /// An allocation reuses the MAC the owner already holds pending for the same interface (see
    /// <see cref="TryReusePending"/>), so re-admitting an object that was never persisted costs the same however
    /// often it happens, instead of adding one more pending entry to the owner each time.
    /// </summary>
    public ReservationResult Reserve(MacOwner owner, IReadOnlyList<MacRequest> requests, DateTimeOffset? pendingSince, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var ownerKey = KeyOf(owner);
        var requested = new MacAddress[requests.Count];
        if (ParseRequested(requests, requested, _reserved) is { } invalid)
        {
            return ReservationResult.Failure(invalid);
        }

        lock (_lock)
        {
            List<MacAddress>? shared = null;
            for (var i = 0; i < requests.Count; i++)
            {
                if (requests[i].Kind == MacRequestKind.Requested && InHandoverGuard(requested[i]))
                {
                    return ReservationResult.Failure(HandoverGuardError);
                }

                if (requests[i].Kind == MacRequestKind.Requested && _entries.IsHeldByOther(requested[i].Value, ownerKey))
                {
                    if (DuplicatePolicy == DuplicatePolicy.Reject)
                    {
                        return ReservationResult.Failure(RequestedMacTakenError);
                    }

                    (shared ??= []).Add(requested[i]);
                }
            }

            _undo.Clear();
            var assigned = new MacAssignment[requests.Count];
            foreach (var kind in (ReadOnlySpan<MacRequestKind>)[MacRequestKind.Requested, MacRequestKind.Allocate, MacRequestKind.Touch])
            {
                for (var i = 0; i < requests.Count; i++)
                {
                    if (requests[i].Kind != kind)
                    {
                        continue;
                    }

                    var iface = Intern(requests[i].InterfaceKey);
                    MacAddress mac;
                    switch (kind)
                    {
                        case MacRequestKind.Requested:
                            mac = requested[i];
                            assigned[i] = new MacAssignment(iface, mac, Allocated: false);
                            break;
                        case MacRequestKind.Allocate:
                            if (TryReusePending(ownerKey, iface, assigned, out mac))
                            {
                                assigned[i] = new MacAssignment(iface, mac, Allocated: true);
                                break;
                            }

                            if (!_allocator.TryAllocate(out mac))
                            {
                                Undo(ownerKey);
                                return ReservationResult.Failure(RangeAllocator.RangeFullError);
                            }

                            assigned[i] = new MacAssignment(iface, mac, Allocated: true);
                            break;
                        default:
                            mac = requests[i].TouchedMac;
                            if (!_entries.Contains(mac.Value, ownerKey, iface))
                            {
                                continue;
                            }

                            break;
                    }

                    if (kind != MacRequestKind.Touch && AddEntry(mac.Value, ownerKey, iface))
                    {
                        _undo.Add(new UndoStep(mac.Value, iface, Added: true, default));
                    }

                    if (pendingSince is { } since)
                    {
                        _undo.Add(new UndoStep(mac.Value, iface, Added: false, _entries.SetPending(mac.Value, ownerKey, iface, since.UtcTicks)));
                    }
                }
            }

            if (dryRun)
            {
                Undo(ownerKey);
            }
            else
            {
                CountReserved(requests);
            }

            return new ReservationResult(WithoutTouches(requests, assigned), null, (IReadOnlyList<MacAddress>?)shared ?? []);
        }
    }

    /// <summary>
    /// Finds a MAC the owner holds pending for <paramref name="iface"/> that an allocation may hand out again: an
    /// earlier review of the same object (same kind, namespace and name) that was never persisted, or one whose
    /// persisted form commit has not seen yet. Either way the object gets the MAC it already has, and the entry's
    /// timestamp moves on to this transaction. Committed entries are never reused (a CREATE of a name that exists
    /// fails at the API server, and its MACs belong to the live object), nor a MAC another owner also holds (an
    /// allocation must be unique), nor one outside the current range, nor one this request already assigned.
    /// Newest first: the latest review is the one a retry repeats. Cost: the owner's entries, which reuse keeps few.
    /// </summary>
    private bool TryReusePending(string ownerKey, string iface, MacAssignment[] assigned, out MacAddress mac)
    {
        var entries = EntriesOfLocked(ownerKey);
        for (var e = entries.Count - 1; e >= 0; e--)
        {
            var (candidate, candidateInterface) = entries[e];
            if (string.Equals(candidateInterface, iface, StringComparison.Ordinal)
                && _entries.PendingSince(candidate, ownerKey, iface) is not null
                && _allocator.Range.Contains(new MacAddress(candidate))
                && !_entries.IsHeldByOther(candidate, ownerKey)
                && !AssignedAlready(assigned, candidate))
            {
                mac = new MacAddress(candidate);
                return true;
            }
        }

        mac = default;
        return false;
    }

    /// <summary>The assignments of the requested and allocated interfaces, in request order (touches assign nothing).</summary>
    private static MacAssignment[] WithoutTouches(IReadOnlyList<MacRequest> requests, MacAssignment[] assigned)
    {
        var touches = 0;
        for (var i = 0; i < requests.Count; i++)
        {
            touches += requests[i].Kind == MacRequestKind.Touch ? 1 : 0;
        }

        if (touches == 0)
        {
            return assigned; // a create's usual case: no second array
        }

        var kept = new MacAssignment[requests.Count - touches];
        for (int i = 0, k = 0; i < requests.Count; i++)
        {
            if (requests[i].Kind != MacRequestKind.Touch)
            {
                kept[k++] = assigned[i];
            }
        }

        return kept;
    }

    private static bool AssignedAlready(MacAssignment[] assigned, ulong mac)
    {
        foreach (var assignment in assigned)
        {
            // Unset slots are default structs: no interface.
            if (assignment.InterfaceKey is not null && assignment.Mac.Value == mac)
            {
                return true;
            }
        }

        return false;
    }

    private void CountReserved(IReadOnlyList<MacRequest> requests)
    {
        foreach (var request in requests)
        {
            if (request.Kind == MacRequestKind.Allocate)
            {
                _allocatedTotal++;
            }
            else if (request.Kind == MacRequestKind.Requested)
            {
                _requestedTotal++;
            }
        }
    }

    /// <summary>
    /// Parses the requested MACs in request order, stopping at the first unparsable one or the first MAC two
    /// interfaces ask for (upstream's order of checks), then at a group or all-zero MAC or a reserved one. Only
    /// MACs newly asked for are <see cref="MacRequestKind.Requested"/>: a MAC an object keeps across an update is
    /// touched, so objects that already hold such a MAC are not broken. Needs no lock: it reads only the request
    /// and the (immutable) reserved list.
    /// </summary>
    private static string? ParseRequested(IReadOnlyList<MacRequest> requests, MacAddress[] requested, ReservedMacs reserved)
    {
        Dictionary<MacAddress, string>? seen = null;
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].Kind != MacRequestKind.Requested)
            {
                continue;
            }

            var iface = requests[i].InterfaceKey;
            if (!MacAddress.TryParse(requests[i].RequestedMac, out requested[i], out var error))
            {
                return $"invalid MAC address format for interface {iface}: {requests[i].RequestedMac}: {error}";
            }

            seen ??= [];
            if (!seen.TryAdd(requested[i], iface))
            {
                return $"duplicate MAC address {requested[i]} found on interfaces: {seen[requested[i]]} and {iface}";
            }

            if (UnicastRule.Violation(iface, requested[i]) is { } group)
            {
                return group;
            }

            if (reserved.EntryOf(requested[i]) is { } entry)
            {
                return $"{ReservedMacError} {requested[i]} for interface {iface}: reserved by {ReservedMacs.Key} entry \"{entry}\"";
            }
        }

        return null;
    }

    private void Undo(string ownerKey)
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var step = _undo[i];
            if (step.Added)
            {
                RemoveEntry(step.Mac, ownerKey, step.Interface);
            }
            else
            {
                _entries.SetPending(step.Mac, ownerKey, step.Interface, step.PendingBefore);
            }
        }

        _undo.Clear();
    }

    /// <summary>One change of a reservation: an entry added, or an entry's pending timestamp set (with what it was).</summary>
    private readonly record struct UndoStep(ulong Mac, string Interface, bool Added, long? PendingBefore);
}
