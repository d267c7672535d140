using k8s;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Collisions;
using KubeMacPool.Core.Networks;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Watching;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// Upstream's <c>maccollision-vmi-controller</c>: the MACs of <c>status.interfaces</c> (every interface) of Running
/// VMIs in namespaces managed for VMs, with their live-migration UIDs.
/// </summary>
internal sealed class VirtualMachineInstanceCollisionController(CollisionTrackers trackers) : IResourceEventHandler<VirtualMachineInstance>
{
    public ValueTask OnListedAsync(IReadOnlyList<VirtualMachineInstance> items, CancellationToken cancellationToken)
    {
        trackers.VirtualMachineInstances.ReplaceAll(items.Select(Observe).ToList());
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, VirtualMachineInstance item, CancellationToken cancellationToken)
    {
        if (type == WatchEventType.Deleted)
        {
            trackers.VirtualMachineInstances.Remove(Key(item), item.Metadata.Uid);
        }
        else
        {
            trackers.VirtualMachineInstances.Observe(Observe(item));
        }

        return ValueTask.CompletedTask;
    }

    public static string Key(VirtualMachineInstance vmi) =>
        CollisionObject.VirtualMachineInstanceKey(vmi.Metadata.NamespaceProperty, vmi.Metadata.Name);

    public static ObservedObject Observe(VirtualMachineInstance vmi)
    {
        var status = VirtualMachineInstanceStatusView.ReadStatus(vmi.Status);
        var macs = new HashSet<MacAddress>();
        foreach (var text in status.Macs)
        {
            if (MacAddress.TryParse(text, out var mac))
            {
                macs.Add(mac);
            }
        }

        var target = new EventTarget(
            vmi.ApiVersion ?? $"{VirtualMachineInstance.Group}/{VirtualMachineInstance.Version}", "VirtualMachineInstance",
            vmi.Metadata.NamespaceProperty, vmi.Metadata.Name, vmi.Metadata.Uid);
        return new ObservedObject(Key(vmi), target, status.IsRunning, macs, status.SourceMigrationUid, status.TargetMigrationUid);
    }
}
