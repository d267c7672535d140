using KubeMacPool.Core.Collisions;
using KubeMacPool.Core.Networks;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// Upstream's <c>maccollision-vmi-controller</c>: the MACs of <c>status.interfaces</c> (every interface) of Running
/// VMIs in namespaces managed for VMs, with their live-migration UIDs.
/// </summary>
internal sealed class VirtualMachineInstanceCollisionController(CollisionTrackers trackers)
    : CollisionController<VirtualMachineInstance>(trackers.VirtualMachineInstances)
{
    private static string Key(VirtualMachineInstance vmi) =>
        CollisionObject.VirtualMachineInstanceKey(vmi.Metadata.NamespaceProperty, vmi.Metadata.Name);

    protected override ObservedObject Observe(VirtualMachineInstance item) => Observation(item);

    /// <summary>What the collision checks see of one VirtualMachineInstance (pure; unit-tested).</summary>
    public static ObservedObject Observation(VirtualMachineInstance vmi)
    {
        var status = VirtualMachineInstanceStatusView.ReadStatus(vmi.Status);
        var macs = RunningMacs.Parse(status.Macs);

        var target = new EventTarget(
            vmi.ApiVersion ?? $"{VirtualMachineInstance.Group}/{VirtualMachineInstance.Version}", "VirtualMachineInstance",
            vmi.Metadata.NamespaceProperty, vmi.Metadata.Name, vmi.Metadata.Uid);
        return new ObservedObject(Key(vmi), target, status.IsRunning, macs, status.SourceMigrationUid, status.TargetMigrationUid);
    }
}
