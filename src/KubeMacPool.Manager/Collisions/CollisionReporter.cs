using System.Collections.Concurrent;
using KubeMacPool.Core.Collisions;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// Turns collision changes into Warning Events <c>MACCollision</c> on every object involved (upstream's reason and
/// message). Knows the Event target of every tracked object, whichever controller tracks it.
/// </summary>
internal sealed partial class CollisionReporter(EventRecorder events, ILogger<CollisionReporter> logger)
{
    public const string Reason = "MACCollision";

    private readonly ConcurrentDictionary<string, EventTarget> _targets = new(StringComparer.Ordinal);

    public void Remember(string key, EventTarget target) => _targets[key] = target;

    public void Forget(string key) => _targets.TryRemove(key, out _);

    public void Report(IReadOnlyList<CollisionChange> changes)
    {
        foreach (var change in changes)
        {
            if (!change.IsCollision)
            {
                LogCleared(logger, change.Mac);
                continue;
            }

            LogCollision(logger, change.Message);
            foreach (var key in change.Keys)
            {
                if (_targets.TryGetValue(key, out var target))
                {
                    events.Record(target, EventRecorder.Warning, Reason, change.Message);
                }
            }
        }
    }

    [LoggerMessage(EventId = 1320, Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void LogCollision(ILogger logger, string message);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Information, Message = "MAC {Mac}: collision cleared")]
    private static partial void LogCleared(ILogger logger, KubeMacPool.Core.Addressing.MacAddress mac);
}
