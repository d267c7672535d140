using k8s;
using k8s.Models;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Networks;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Namespaces;
using KubeMacPool.Manager.Pool.Webhooks;

namespace KubeMacPool.Manager.Pool.Controllers;

/// <summary>
/// Keeps pod MACs in step with persisted Pods: registers them at the startup rebuild, commits what the webhook
/// reserved once the pod exists (moving a generateName pod's MACs from its temporary owner to its real name),
/// and releases them when the pod goes, whether or not its namespace still exists.
/// </summary>
internal sealed class PodController(MacPool pool, ManagedNamespaces namespaces, Informer<VirtualMachine> virtualMachines)
    : IResourceEventHandler<V1Pod>
{
    public ValueTask OnListedAsync(IReadOnlyList<V1Pod> items, CancellationToken cancellationToken)
    {
        var present = items.Select(p => Owner(p).Key).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in pool.Owners(MacOwner.PodKind).Where(o => !present.Contains(o.Key) && !IsTemporary(o)))
        {
            pool.Release(gone);
        }

        foreach (var pod in items)
        {
            Track(pod);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, V1Pod pod, CancellationToken cancellationToken)
    {
        if (type == WatchEventType.Deleted)
        {
            pool.Release(Owner(pod));
        }
        else
        {
            Track(pod);
        }

        return ValueTask.CompletedTask;
    }

    public static MacOwner Owner(V1Pod pod) => MacOwner.Pod(pod.Metadata.NamespaceProperty, pod.Metadata.Name);

    public static bool IsTemporary(MacOwner owner) => owner.Name.StartsWith(PodWebhook.TemporaryOwnerPrefix, StringComparison.Ordinal);

    /// <summary>The (network, MAC) pairs the pod's networks annotation carries; none for the comma form or bad JSON.</summary>
    public static IEnumerable<(string Network, MacAddress Mac)> PersistedMacs(V1Pod pod)
    {
        var parsed = NetworkSelectionAnnotation.Parse(pod.Metadata.Annotations.ValueOrNull(WellKnown.NetworksAnnotation), pod.Metadata.NamespaceProperty);
        foreach (var element in parsed.Elements)
        {
            if (MacAddress.TryParse(element.Mac, out var mac))
            {
                yield return (element.InterfaceKey, mac);
            }
        }
    }

    private void Track(V1Pod pod)
    {
        var owner = Owner(pod);
        if (!namespaces.IsManaged(WebhookKind.Pods, owner.Namespace) || IsLauncherOfVirtualMachine(pod))
        {
            return;
        }

        var macs = PersistedMacs(pod).ToList();
        foreach (var (network, mac) in macs)
        {
            pool.Register(owner, network, mac);
            foreach (var temporary in pool.EntriesAt(mac).Where(e => e.Owner.Kind == MacOwner.PodKind && e.Owner.Namespace == owner.Namespace && IsTemporary(e.Owner)))
            {
                pool.Release(temporary.Owner);
            }
        }

        // Pending entries the persisted pod does not carry were never applied: release them.
        pool.Commit(owner, DateTimeOffset.MaxValue, macs);
    }

    private bool IsLauncherOfVirtualMachine(V1Pod pod) =>
        pod.Metadata.OwnerReferences?.Any(o => o.Kind == "VirtualMachineInstance" && virtualMachines.Cache.Contains(pod.Metadata.NamespaceProperty, o.Name)) == true;
}
