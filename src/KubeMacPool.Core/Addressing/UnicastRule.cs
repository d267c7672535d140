namespace KubeMacPool.Core.Addressing;

/// <summary>
/// Only unicast MACs may be requested for an interface: libvirt refuses to start a guest with a group address,
/// and the all-zero address is no address. Checked at admission so the user learns it then, not at VM start.
/// </summary>
public static class UnicastRule
{
    /// <summary>What kind of non-unicast address <paramref name="mac"/> is, or null when it is a usable unicast MAC.</summary>
    public static string? NonUnicastKind(MacAddress mac) =>
        mac.Value == MacAddress.MaxValue ? "the broadcast address"
        : mac.IsMulticast ? "a multicast (group) address"
        : mac.Value == 0 ? "the all-zero address"
        : null;

    /// <summary>The refusal for a requested MAC, or null when it may be requested.</summary>
    public static string? Violation(string interfaceKey, MacAddress mac) =>
        NonUnicastKind(mac) is { } kind
            ? $"invalid MAC address for interface {interfaceKey}: {mac} is {kind}; only unicast MAC addresses can be requested"
            : null;
}
