using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// Steady state of a 2^24 range held at a fixed occupancy: each operation allocates one address and frees a
/// randomly chosen held one, so the share of used addresses stays where the setup put it.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class OccupancyBenchmarks
{
    private const int Batch = 100_000;

    private RangeAllocator _allocator = null!;
    private MacAddress[] _held = null!;
    private Random _random = null!;

    /// <summary>Share of the range held before measuring.</summary>
    [Params(0.5, 0.99)]
    public double Occupancy { get; set; }

    [Params(0, ReservedMacsBenchmarks.Many)]
    public int ReservedEntries { get; set; }

    [GlobalSetup]
    public void Occupy()
    {
        MacRange.TryParse("02:00:00:00:00:00", "02:00:00:ff:ff:ff", out var range, out _);
        _allocator = new RangeAllocator(range!) { Reserved = ReservedMacsBenchmarks.Spread(range!, ReservedEntries) };
        _random = new Random(42);
        var count = (int)(range!.Size * Occupancy);
        _held = new MacAddress[count];
        var offsets = Enumerable.Range(0, (int)range.Size).ToArray();
        _random.Shuffle(offsets);
        for (var i = 0; i < count; i++)
        {
            _held[i] = range.At((ulong)offsets[i]);
            _allocator.MarkUsed(_held[i]);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "allocate+release, 2^24 range at occupancy")]
    public MacAddress AllocateAndRelease()
    {
        MacAddress mac = default;
        for (var i = 0; i < Batch; i++)
        {
            _allocator.TryAllocate(out mac);
            var slot = _random.Next(_held.Length);
            _allocator.MarkFree(_held[slot]);
            _held[slot] = mac;
        }

        return mac;
    }
}
