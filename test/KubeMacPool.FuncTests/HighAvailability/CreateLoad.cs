using System.Collections.Concurrent;
using System.Diagnostics;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.HighAvailability;

/// <summary>
/// N clients creating VirtualMachines (no MACs given) through the API server as fast as they are answered, recording
/// when each create started and ended and whether it was refused.
/// </summary>
internal sealed class CreateLoad(TestCluster k, string ns, int clients) : IDisposable
{
    private readonly ConcurrentBag<(double Start, double End, string? Error)> _results = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;
    private int _next;

    public double Now => _clock.Elapsed.TotalSeconds;

    public void Start() => _running = Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(ClientAsync)));

    /// <summary>Stops the clients and waits for their last creates (idempotent).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running!;
    }

    public void Dispose() => _stop.Dispose();

    public IReadOnlyList<(double Start, double End, string? Error)> Results => [.. _results.OrderBy(r => r.End)];

    public IReadOnlyList<string> Refusals => [.. _results.Where(r => r.Error is not null).Select(r => r.Error!)];

    public int Admitted => _results.Count(r => r.Error is null);

    /// <summary>Seconds from <paramref name="at"/> to the end of the first create that started after it and was admitted.</summary>
    public double FirstAdmittedAfter(double at) =>
        _results.Where(r => r.Error is null && r.Start >= at).Select(r => r.End - at).DefaultIfEmpty(double.NaN).Min();

    private async Task ClientAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var name = "ha-" + Interlocked.Increment(ref _next);
            var start = Now;
            try
            {
                await k.CreateVirtualMachineAsync(ns, Vms.Bridged(name, ("br1", null)));
                _results.Add((start, Now, null));
            }
            catch (Exception e) when (e is not OperationCanceledException || !k.CancellationToken.IsCancellationRequested)
            {
                _results.Add((start, Now, name + ": " + e.Message));
            }
        }
    }
}
