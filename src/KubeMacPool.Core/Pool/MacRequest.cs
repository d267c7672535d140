using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Pool;

public enum MacRequestKind
{
    /// <summary>Take a free MAC of the range for the interface.</summary>
    Allocate,

    /// <summary>Register the MAC the user wrote for the interface (any MAC, inside the range or not).</summary>
    Requested,

    /// <summary>
    /// Mark an entry the owner already holds as part of this transaction, so that commit decides whether it stays
    /// (the update persisted with it) or goes (an interface was removed or its MAC replaced).
    /// </summary>
    Touch,
}

/// <summary>One interface's part of a reservation.</summary>
public readonly record struct MacRequest(string InterfaceKey, MacRequestKind Kind, string? RequestedMac, MacAddress TouchedMac)
{
    public static MacRequest Allocate(string interfaceKey) => new(interfaceKey, MacRequestKind.Allocate, null, default);

    public static MacRequest Requested(string interfaceKey, string mac) => new(interfaceKey, MacRequestKind.Requested, mac, default);

    public static MacRequest Touch(string interfaceKey, MacAddress mac) => new(interfaceKey, MacRequestKind.Touch, null, mac);
}

/// <summary>The MAC an interface got: allocated from the range, or the one requested.</summary>
public readonly record struct MacAssignment(string InterfaceKey, MacAddress Mac, bool Allocated);

/// <summary>What a reservation did, or why it did nothing.</summary>
public sealed record ReservationResult(
    IReadOnlyList<MacAssignment> Assignments, string? Error, IReadOnlyList<MacAddress> SharedWithOtherOwners)
{
    public bool Succeeded => Error is null;

    public static ReservationResult Failure(string error) => new([], error, []);
}

/// <summary>One owner's hold on one MAC, for introspection and the heal loop.</summary>
public readonly record struct MacEntry(MacAddress Mac, MacOwner Owner, string InterfaceKey, DateTimeOffset? PendingSince);
