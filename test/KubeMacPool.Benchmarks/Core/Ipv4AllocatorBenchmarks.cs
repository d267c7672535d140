using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Ipv4;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// The static-DHCP allocator: filling a /16 pool address by address (reservations created one by one), and the
/// startup replay of 10,000 recorded addresses into a fresh /16 allocator (what a manager restart costs per pool).
/// </summary>
[MemoryDiagnoser]
public class Ipv4AllocatorBenchmarks
{
    private const uint Start = 0x0A000001; // 10.0.0.1
    private const uint End = 0x0A00FFFE;   // 10.0.255.254
    private uint[] _recorded = [];
    private Ipv4RangeAllocator _fresh = null!;

    private readonly IpPoolInput _spec = new()
    {
        Name = "blue",
        Network = "default/blue",
        Cidr = "10.0.0.0/16",
        ServerIp = "10.0.0.1",
        Router = "10.0.0.2",
        Exclude = ["10.0.0.9"],
        Dns = ["10.0.0.53"],
    };

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _recorded = [.. Enumerable.Range(0, 10_000).Select(_ => Start + (uint)random.Next(0, (int)(End - Start))).Distinct()];
    }

    [IterationSetup(Targets = [nameof(FillSlash16)])]
    public void Fresh() => _fresh = new Ipv4RangeAllocator(Start, End, [Start, Start + 1]);

    [Benchmark(OperationsPerInvoke = 65_532, Description = "allocate until a /16 pool is full")]
    public uint FillSlash16()
    {
        uint last = 0;
        while (_fresh.TryAllocate(out var next))
        {
            last = next;
        }

        return last;
    }

    [Benchmark(Description = "replay 10,000 recorded addresses into a /16 pool")]
    public ulong Replay10000()
    {
        var allocator = new Ipv4RangeAllocator(Start, End, [Start, Start + 1]);
        foreach (var address in _recorded)
        {
            allocator.TryClaim(address);
        }

        return allocator.AllocatedCount;
    }

    [Benchmark(Description = "validate a pool spec")]
    public bool Validate() => IpPoolValidator.Validate(_spec, []).IsValid;
}
