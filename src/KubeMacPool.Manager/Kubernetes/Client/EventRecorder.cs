using System.Collections.Concurrent;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Hosting;

namespace KubeMacPool.Manager.Kubernetes.Client;

/// <summary>The object an Event is about.</summary>
internal sealed record EventTarget(string ApiVersion, string Kind, string Namespace, string Name, string? Uid);

/// <summary>
/// Records core/v1 Events without blocking the caller: events are queued and written by one background loop.
/// A repeat of the same (object, reason, message) bumps the count of the existing Event, as client-go does.
/// </summary>
internal sealed partial class EventRecorder(IKubernetes client, TimeProvider time, ILogger<EventRecorder> logger, Leadership? leadership = null)
    : BackgroundService
{
    public const string Warning = "Warning";
    public const string Normal = "Normal";

    // Recorded while standing by longer than this before this replica led: the leader of that time recorded it.
    private static readonly TimeSpan StandbyStale = TimeSpan.FromSeconds(10);

    private readonly Channel<(EventTarget Target, string Type, string Reason, string Message, string Component, DateTimeOffset At)> _queue =
        Channel.CreateBounded<(EventTarget, string, string, string, string, DateTimeOffset)>(
            new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });

    private readonly ConcurrentDictionary<string, (string Name, int Count)> _recent = new(StringComparer.Ordinal);

    /// <summary>
    /// Queues an Event. Only the leader writes: a replica that does not lead keeps it until it leads, and then writes it
    /// only if it was recorded shortly before (a restarted process records what its startup finds before it has won
    /// the election; a long-standing standby's Events were the leader's to record).
    /// </summary>
    public void Record(EventTarget target, string type, string reason, string message, string component = "kubemacpool") =>
        _queue.Writer.TryWrite((target, type, reason, message, component, time.GetUtcNow()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (target, type, reason, message, component, at) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (leadership is not null)
            {
                await leadership.WhenLeaderAsync(stoppingToken);
                if (leadership.LeadingSince - at > StandbyStale)
                {
                    LogStandbyDropped(logger, reason, target.Namespace, target.Name);
                    continue;
                }
            }

            try
            {
                await WriteAsync(target, type, reason, message, component, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogEventFailed(logger, reason, target.Namespace, target.Name, e);
            }
        }
    }

    private async Task WriteAsync(EventTarget target, string type, string reason, string message, string component, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = string.Join('\u0000', target.Namespace, target.Name, target.Uid, reason, message);
        if (_recent.TryGetValue(key, out var previous))
        {
            try
            {
                var patch = new V1Patch(
                    $$"""{"count":{{previous.Count + 1}},"lastTimestamp":"{{now:yyyy-MM-ddTHH:mm:ssZ}}"}""",
                    V1Patch.PatchType.MergePatch);
                await client.CoreV1.PatchNamespacedEventAsync(patch, previous.Name, target.Namespace, cancellationToken: cancellationToken);
                _recent[key] = (previous.Name, previous.Count + 1);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The event expired; record a fresh one.
            }
        }

        var name = $"{target.Name}.{now.Ticks:x}";
        await client.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = target.Namespace },
                InvolvedObject = new V1ObjectReference
                {
                    ApiVersion = target.ApiVersion,
                    Kind = target.Kind,
                    NamespaceProperty = target.Namespace,
                    Name = target.Name,
                    Uid = target.Uid,
                },
                Type = type,
                Reason = reason,
                Message = message,
                Source = new V1EventSource { Component = component },
                ReportingComponent = component,
                FirstTimestamp = now,
                LastTimestamp = now,
                Count = 1,
            },
            target.Namespace,
            cancellationToken: cancellationToken);
        if (_recent.Count > 10_000)
        {
            _recent.Clear();
        }

        _recent[key] = (name, 1);
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Not recording event {Reason} on {Namespace}/{Name}: recorded while another replica led")]
    private static partial void LogStandbyDropped(ILogger logger, string reason, string @namespace, string name);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Could not record event {Reason} on {Namespace}/{Name}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string @namespace, string name, Exception exception);
}
