using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>
/// A subscriber that writes what it gets into a log shared with other subscribers, as "name listed [ns/a@rv, ...]"
/// (keys sorted) and "name Type ns/a@rv", so one assertion shows both content and order across subscribers.
/// </summary>
internal sealed class RecordingHandler(string name, List<string> log, ObjectCache<V1ConfigMap>? cache = null) : IResourceEventHandler<V1ConfigMap>
{
    public List<V1ConfigMap> Received { get; } = [];

    public static string Describe(V1ConfigMap map) => ObjectCache<V1ConfigMap>.KeyOf(map) + "@" + map.Metadata.ResourceVersion;

    public ValueTask OnListedAsync(IReadOnlyList<V1ConfigMap> items, CancellationToken cancellationToken)
    {
        lock (log)
        {
            Received.AddRange(items);
            log.Add($"{name} listed [{string.Join(", ", items.Select(Describe).Order(StringComparer.Ordinal))}]");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, V1ConfigMap item, CancellationToken cancellationToken)
    {
        lock (log)
        {
            Received.Add(item);
            // With a cache given, also say what the cache held for the key when the subscriber was called.
            var seen = cache is null ? "" : " cache:" + (cache.Get(ObjectCache<V1ConfigMap>.KeyOf(item)) is { } held ? Describe(held) : "none");
            log.Add($"{name} {type} {Describe(item)}{seen}");
        }

        return ValueTask.CompletedTask;
    }
}
