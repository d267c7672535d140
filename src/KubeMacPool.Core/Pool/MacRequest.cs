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

/// <summary>One interface's part of a reservation; the interface key is a VM interface name or a Multus network name.</summary>
public readonly record struct MacRequest(string InterfaceKey, MacRequestKind Kind, string? RequestedMac, MacAddress TouchedMac)
{
    public static MacRequest Allocate(string interfaceKey) => new(interfaceKey, MacRequestKind.Allocate, null, default);

    /// <param name="interfaceKey">The interface the MAC is for.</param>
    /// <param name="mac">The MAC as the user wrote it; the pool parses it and reports a bad one.</param>
    public static MacRequest Requested(string interfaceKey, string mac) => new(interfaceKey, MacRequestKind.Requested, mac, default);

    public static MacRequest Touch(string interfaceKey, MacAddress mac) => new(interfaceKey, MacRequestKind.Touch, null, mac);
}
