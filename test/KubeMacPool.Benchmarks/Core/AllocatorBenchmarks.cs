using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Allocation;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>Raw allocator speed: fresh ranges, a range filled to the end, and steady state at fixed occupancy.</summary>
[MemoryDiagnoser]
public class AllocatorBenchmarks
{
    private const int Batch = 100_000;

    private RangeAllocator _default = null!;
    private RangeAllocator _small = null!;
    private RangeAllocator _occupied = null!;
    private MacAddress[] _held = null!;
    private Random _random = null!;

    /// <summary>Share of a 2^24 range held before measuring allocate+release pairs.</summary>
    [Params(0.5, 0.99)]
    public double Occupancy { get; set; }

    [IterationSetup(Targets = [nameof(AllocateInDefaultRange)])]
    public void FreshDefault() => _default = new RangeAllocator(MacRange.Default);

    [IterationSetup(Targets = [nameof(FillRangeOf65536)])]
    public void FreshSmall() =>
        _small = new RangeAllocator(MacRange.TryParse("02:00:00:00:00:00", "02:00:00:00:ff:ff", out var r, out _) ? r : throw new InvalidOperationException());

    [GlobalSetup(Targets = [nameof(AllocateAndReleaseAtOccupancy)])]
    public void Occupy()
    {
        MacRange.TryParse("02:00:00:00:00:00", "02:00:00:ff:ff:ff", out var range, out _);
        _occupied = new RangeAllocator(range!);
        _random = new Random(42);
        var count = (int)(range!.Size * Occupancy);
        _held = new MacAddress[count];
        var offsets = Enumerable.Range(0, (int)range.Size).ToArray();
        _random.Shuffle(offsets);
        for (var i = 0; i < count; i++)
        {
            _held[i] = range.At((ulong)offsets[i]);
            _occupied.MarkUsed(_held[i]);
        }
    }

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

    [Benchmark(OperationsPerInvoke = Batch, Description = "allocate+release, 2^24 range at occupancy")]
    public MacAddress AllocateAndReleaseAtOccupancy()
    {
        MacAddress mac = default;
        for (var i = 0; i < Batch; i++)
        {
            _occupied.TryAllocate(out mac);
            var slot = _random.Next(_held.Length);
            _occupied.MarkFree(_held[slot]);
            _held[slot] = mac;
        }

        return mac;
    }
}
