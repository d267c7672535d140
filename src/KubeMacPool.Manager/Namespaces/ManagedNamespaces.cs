using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Namespaces;

/// <summary>Which webhook a question is about.</summary>
internal enum WebhookKind
{
    Pods,
    VirtualMachines,
}

/// <summary>
/// Answers "is this namespace managed by that webhook?" from memory: namespace labels and the two live webhook
/// selectors are kept current by watches, so no API call is made per object (upstream's startup was slow for that).
/// </summary>
internal sealed partial class ManagedNamespaces(ILogger<ManagedNamespaces> logger)
    : IResourceEventHandler<V1Namespace>, IResourceEventHandler<V1MutatingWebhookConfiguration>
{
    public const string ConfigurationName = WellKnown.MutatingWebhookConfiguration;
    public const string PodsWebhook = WellKnown.PodsWebhook;
    public const string VirtualMachinesWebhook = WellKnown.VirtualMachinesWebhook;

    private readonly ConcurrentDictionary<string, IDictionary<string, string>> _labels = new(StringComparer.Ordinal);
    private volatile WebhookSelector? _pods;
    private volatile WebhookSelector? _virtualMachines;
    private readonly TaskCompletionSource _known = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Why the selectors could not be read, while they cannot; null once both are known.</summary>
    public string? SelectorError { get; private set; } = $"mutatingWebhookConfig {ConfigurationName} not seen yet";

    /// <summary>Raised after every namespace or selector change, so holders of per-namespace decisions can re-take them.</summary>
    public event Action? Changed;

    /// <summary>Whether the namespaces have been listed at least once.</summary>
    public bool NamespacesListed { get; private set; }

    /// <summary>Completes once the namespaces are listed and both selectors have been read without error.</summary>
    public Task Known => _known.Task;

    public WebhookSelector? Selector(WebhookKind kind) => kind == WebhookKind.Pods ? _pods : _virtualMachines;

    /// <summary>
    /// Unknown namespaces (deleted, or not seen yet) are not managed; release paths do not ask this question,
    /// so a deleted namespace never strands MACs.
    /// </summary>
    public bool IsManaged(WebhookKind kind, string? @namespace) =>
        @namespace is not null
        && Selector(kind) is { } selector
        && _labels.TryGetValue(@namespace, out var labels)
        && selector.IsManaged(labels);

    public bool Exists(string @namespace) => _labels.ContainsKey(@namespace);

    ValueTask IResourceEventHandler<V1Namespace>.OnListedAsync(IReadOnlyList<V1Namespace> items, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ns in items)
        {
            seen.Add(ns.Metadata.Name);
            _labels[ns.Metadata.Name] = Labels(ns);
        }

        foreach (var name in _labels.Keys.Where(n => !seen.Contains(n)))
        {
            _labels.TryRemove(name, out _);
        }

        NamespacesListed = true;
        OnChanged();
        return ValueTask.CompletedTask;
    }

    ValueTask IResourceEventHandler<V1Namespace>.OnEventAsync(WatchEventType type, V1Namespace item, CancellationToken cancellationToken)
    {
        if (type == WatchEventType.Deleted)
        {
            _labels.TryRemove(item.Metadata.Name, out _);
        }
        else
        {
            _labels[item.Metadata.Name] = Labels(item);
        }

        OnChanged();
        return ValueTask.CompletedTask;
    }

    ValueTask IResourceEventHandler<V1MutatingWebhookConfiguration>.OnListedAsync(
        IReadOnlyList<V1MutatingWebhookConfiguration> items, CancellationToken cancellationToken)
    {
        Update(items.FirstOrDefault(c => c.Metadata.Name == ConfigurationName));
        return ValueTask.CompletedTask;
    }

    ValueTask IResourceEventHandler<V1MutatingWebhookConfiguration>.OnEventAsync(
        WatchEventType type, V1MutatingWebhookConfiguration item, CancellationToken cancellationToken)
    {
        Update(type == WatchEventType.Deleted ? null : item);
        return ValueTask.CompletedTask;
    }

    private void Update(V1MutatingWebhookConfiguration? configuration)
    {
        if (configuration is null)
        {
            // Keep the last known selectors: the configuration being recreated must not make every namespace unmanaged.
            LogConfigurationMissing(logger, ConfigurationName);
            return;
        }

        var errors = new List<string>();
        if (WebhookSelector.TryRead(configuration, PodsWebhook, out var pods, out var podsError))
        {
            _pods = pods;
        }
        else
        {
            errors.Add(podsError!);
        }

        if (WebhookSelector.TryRead(configuration, VirtualMachinesWebhook, out var vms, out var vmsError))
        {
            _virtualMachines = vms;
        }
        else
        {
            errors.Add(vmsError!);
        }

        SelectorError = errors.Count == 0 ? null : string.Join("; ", errors);
        OnChanged();
        if (SelectorError is not null)
        {
            LogSelectorError(logger, SelectorError);
        }
        else
        {
            LogOptModes(logger, _pods!.Mode, _virtualMachines!.Mode);
        }
    }

    private void OnChanged()
    {
        if (NamespacesListed && SelectorError is null)
        {
            _known.TrySetResult();
        }

        Changed?.Invoke();
    }

    private static Dictionary<string, string> Labels(V1Namespace ns) =>
        new(ns.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "MutatingWebhookConfiguration {Name} is missing; keeping the last known opt modes")]
    private static partial void LogConfigurationMissing(ILogger logger, string name);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Cannot read the webhook opt modes: {Error}")]
    private static partial void LogSelectorError(ILogger logger, string error);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Opt modes: pods {PodsMode}, virtual machines {VirtualMachinesMode}")]
    private static partial void LogOptModes(ILogger logger, OptMode podsMode, OptMode virtualMachinesMode);
}
