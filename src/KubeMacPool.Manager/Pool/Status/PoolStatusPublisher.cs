using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Core.Collisions;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Pool.Status;

/// <summary>
/// Publishes the pool-wide figures (<see cref="PoolStatus"/>) in ConfigMap <c>kubemacpool-pool-status</c> of the
/// service's namespace, so an operator with read access to that one object sees them (<c>kubectl macpool status</c>)
/// without a grant on <c>/metrics</c> or on every namespace. Written when a figure changed (checked every
/// <see cref="Interval"/>) and at least every <see cref="Heartbeat"/>, so a reader can tell a silent service from a
/// quiet pool by the <c>updated</c> time. A failed write is retried at the next tick; it never affects admission.
/// </summary>
internal sealed partial class PoolStatusPublisher(
    MacPool pool,
    CollisionMap collisions,
    ReadinessGate readiness,
    Leadership leadership,
    IKubernetes client,
    IOptions<ManagerOptions> options,
    TimeProvider time,
    ILogger<PoolStatusPublisher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(60);

    private IDictionary<string, string>? _lastFigures;
    private DateTimeOffset _lastWrite;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PodNamespace is not { Length: > 0 } @namespace)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    // The leader's figures are the pool's (a standby writes nothing); it names itself as publisher.
                    if (leadership.IsLeader)
                    {
                        await PublishAsync(@namespace, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWriteFailed(logger, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    internal PoolStatus Snapshot()
    {
        var range = pool.Range;
        var (size, _, reserved, free) = pool.Usage();
        return new PoolStatus
        {
            RangeStart = range.Start.ToString(),
            RangeEnd = range.End.ToString(),
            Size = size,
            Held = pool.HeldCount,
            Pending = pool.PendingCount,
            Free = free,
            Reserved = reserved,
            ReservedEntries = pool.Reserved.EntryCount,
            Collisions = collisions.CollidingMacCount,
            Ready = readiness.IsReady,
            NotReadyReason = readiness.NotReadyReason ?? "",
            Publisher = leadership.Identity,
            Updated = time.GetUtcNow(),
        };
    }

    private async Task PublishAsync(string @namespace, CancellationToken cancellationToken)
    {
        var data = Snapshot().ToData();
        var figures = new Dictionary<string, string>(data);
        figures.Remove("updated");
        var now = time.GetUtcNow();
        if (_lastFigures is not null && now - _lastWrite < Heartbeat && figures.Count == _lastFigures.Count && !figures.Except(_lastFigures).Any())
        {
            return;
        }

        var configMap = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = WellKnown.PoolStatusConfigMap, NamespaceProperty = @namespace },
            Data = data,
        };
        try
        {
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, WellKnown.PoolStatusConfigMap, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(configMap, @namespace, cancellationToken: cancellationToken);
        }

        (_lastFigures, _lastWrite) = (figures, now);
    }

    [LoggerMessage(EventId = 734, Level = LogLevel.Warning, Message = "Publishing the pool status failed, retrying: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string reason);
}
