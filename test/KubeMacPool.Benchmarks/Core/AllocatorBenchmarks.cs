using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// Raw allocator speed on fresh ranges: the default 2^40 range, and a 2^16 range filled to the end; without reserved
/// MACs and with 1,000 RESERVED_MACS entries spread over the range.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class AllocatorBenchmarks
{
    private const int Batch = 100_000;

    private RangeAllocator _default = null!;
    private RangeAllocator _small = null!;
    private static readonly MacRange Small =
        MacRange.TryParse("02:00:00:00:00:00", "02:00:00:00:ff:ff", out var r, out _) ? r : throw new InvalidOperationException();

    private ReservedMacs _reservedDefault = ReservedMacs.Empty;
    private ReservedMacs _reservedSmall = ReservedMacs.Empty;

    [Params(0, ReservedMacsBenchmarks.Many)]
    public int ReservedEntries { get; set; }

    [GlobalSetup]
    public void Reserve()
    {
        _reservedDefault = ReservedMacsBenchmarks.Spread(MacRange.Default, ReservedEntries);
        _reservedSmall = ReservedMacsBenchmarks.Spread(Small, ReservedEntries);
    }

    [IterationSetup(Targets = [nameof(AllocateInDefaultRange)])]
    public void FreshDefault() => _default = new RangeAllocator(MacRange.Default) { Reserved = _reservedDefault };

    [IterationSetup(Targets = [nameof(FillRangeOf65536)])]
    public void FreshSmall() => _small = new RangeAllocator(Small) { Reserved = _reservedSmall };

    [Benchmark(OperationsPerInvoke = Batch, Description = "allocate, default 2^40 range")]
    public MacAddress AllocateInDefaultRange()
    {
        MacAddress mac = default;
        for (var i = 0; i < Batch; i++)
        {
            _default.TryAllocate(out mac);
        }

        return mac;
    }

    [Benchmark(OperationsPerInvoke = 65_536, Description = "allocate until a 2^16 range is full")]
    public MacAddress FillRangeOf65536()
    {
        MacAddress mac = default;
        while (_small.TryAllocate(out var next))
        {
            mac = next;
        }

        return mac;
    }
}
