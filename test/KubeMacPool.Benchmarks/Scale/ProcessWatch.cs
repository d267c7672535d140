using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// What a served process costs while it is measured: resident memory (from /proc) and garbage collections by
/// generation, counted from the runtime's GC events over EventPipe (the process needs no change for it).
/// </summary>
internal sealed class ProcessWatch : IDisposable
{
    private readonly int _pid;
    private readonly EventPipeSession? _session;
    private readonly Task? _reading;
    private readonly int[] _collections = new int[3];

    public ProcessWatch(int pid)
    {
        _pid = pid;
        try
        {
            var provider = new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC);
            _session = new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false);
            var source = new EventPipeEventSource(_session.EventStream);
            source.Clr.GCStart += e => Interlocked.Increment(ref _collections[Math.Clamp(e.Depth, 0, 2)]);
            _reading = Task.Run(source.Process);
        }
        catch (Exception e) when (e is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            Console.WriteLine($"  (GC counts of pid {pid} unavailable: {e.Message})");
        }
    }

    /// <summary>Collections (gen0, gen1, gen2) seen since the watch started; a snapshot, subtract two for a phase.</summary>
    public (int Gen0, int Gen1, int Gen2) Collections => (Volatile.Read(ref _collections[0]), Volatile.Read(ref _collections[1]), Volatile.Read(ref _collections[2]));

    /// <summary>Resident set now and its peak, in MiB, from /proc/PID/status.</summary>
    public (double Rss, double Peak) Memory()
    {
        double Field(string[] lines, string name) =>
            lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
                ? double.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024
                : double.NaN;
        try
        {
            var lines = File.ReadAllLines($"/proc/{_pid}/status");
            return (Field(lines, "VmRSS:"), Field(lines, "VmHWM:"));
        }
        catch (IOException)
        {
            return (double.NaN, double.NaN);
        }
    }

    public string Describe((int Gen0, int Gen1, int Gen2) since)
    {
        var now = Collections;
        var (rss, peak) = Memory();
        return _session is null
            ? $"RSS {rss:F0} MiB (peak {peak:F0})"
            : $"RSS {rss:F0} MiB (peak {peak:F0}), GCs gen0/1/2 {now.Gen0 - since.Gen0}/{now.Gen1 - since.Gen1}/{now.Gen2 - since.Gen2}";
    }

    public void Dispose()
    {
        try
        {
            _session?.Stop();
            _reading?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is ServerNotAvailableException or IOException or TimeoutException or AggregateException)
        {
            // The process went first: nothing left to stop.
        }

        _session?.Dispose();
    }
}
