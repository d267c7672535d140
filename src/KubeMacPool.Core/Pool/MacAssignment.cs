using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Pool;

/// <summary>The MAC an interface got: allocated from the range (<paramref name="Allocated"/>), or the one requested.</summary>
public readonly record struct MacAssignment(string InterfaceKey, MacAddress Mac, bool Allocated);
