using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

/// <summary>Owners, times and ranges shared by the pool tests.</summary>
internal static class PoolFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly MacOwner Vm1 = MacOwner.VirtualMachine("ns1", "vm1");
    public static readonly MacOwner Vm2 = MacOwner.VirtualMachine("ns2", "vm2");
    public static readonly MacOwner Pod = MacOwner.Pod("ns1", "podpod");

    public static MacRange Range(string start, string end) =>
        MacRange.TryParse(start, end, out var range, out var error) ? range : throw new InvalidOperationException(error);

    public static MacRange RangeOf(ulong size, ulong start = 0x02_00_00_00_00_00) =>
        Range(new MacAddress(start).ToString(), new MacAddress(start + size - 1).ToString());

    /// <summary>A 256-address pool whose cursor starts at the range start.</summary>
    public static MacPool NewPool(DuplicatePolicy policy = DuplicatePolicy.Reject) =>
        new(Range("02:00:00:00:00:00", "02:00:00:00:00:ff"), policy, _ => 0);

    public static MacAddress Mac(string text) => MacAddress.Parse(text);
}
