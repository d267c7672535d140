using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Pool;

/// <summary>One owner's hold on one MAC for one interface; <paramref name="PendingSince"/> is null once committed.</summary>
public readonly record struct MacEntry(MacAddress Mac, MacOwner Owner, string InterfaceKey, DateTimeOffset? PendingSince);
