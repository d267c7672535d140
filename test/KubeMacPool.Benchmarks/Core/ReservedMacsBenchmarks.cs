using System.Globalization;
using BenchmarkDotNet.Attributes;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Benchmarks.Core;

/// <summary>
/// RESERVED_MACS for the benchmarks: the allocator, occupancy and pool benchmarks run with <c>ReservedEntries</c> = 0
/// (today's path) and 1,000 (this list) in one run; here, what parsing such a list costs.
/// </summary>
[MemoryDiagnoser]
public class ReservedMacsBenchmarks
{
    public const int Many = 1000;

    private static readonly MacRange Small =
        MacRange.TryParse("02:00:00:00:00:00", "02:00:00:00:ff:ff", out var r, out _) ? r : throw new InvalidOperationException();

    private string _text = "";

    [GlobalSetup]
    public void Setup() => _text = Text(Small, Many);

    [Benchmark(Description = "parse a RESERVED_MACS value of 1,000 entries")]
    public int Parse() => ReservedMacs.Parse(_text).EntryCount;

    /// <summary>
    /// <paramref name="count"/> entries spread evenly over <paramref name="range"/>, every other one a 16-address
    /// block written START..END (single MACs only where the spacing is too tight).
    /// </summary>
    public static ReservedMacs Spread(MacRange range, int count) => ReservedMacs.Parse(Text(range, count));

    private static string Text(MacRange range, int count)
    {
        var step = range.Size / (ulong)Math.Max(count, 1);
        return string.Join('\n', Enumerable.Range(0, count).Select(i =>
        {
            var start = range.At(((ulong)i * step) + (step / 2));
            return i % 2 == 0 || step < 32
                ? start.ToString()
                : string.Create(CultureInfo.InvariantCulture, $"{start}..{new MacAddress(start.Value + 15)}");
        }));
    }
}
