using KubeMacPool.Core.Collisions;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Collisions;

/// <summary>The two trackers over the one collision map: VMIs judged by the VM webhook's opt mode, pods by the pod webhook's.</summary>
internal sealed class CollisionTrackers(CollisionMap map, CollisionReporter reporter, ManagedNamespaces namespaces)
{
    public CollisionTracker VirtualMachineInstances { get; } = new(WebhookKind.VirtualMachines, map, reporter, namespaces);

    public CollisionTracker Pods { get; } = new(WebhookKind.Pods, map, reporter, namespaces);
}
