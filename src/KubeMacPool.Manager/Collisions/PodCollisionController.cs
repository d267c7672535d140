using k8s.Models;
using KubeMacPool.Core.Collisions;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Collisions;

/// <summary>
/// Upstream's <c>maccollision-pod-controller</c>: the MACs of a Running pod's networks annotation, counted only once
/// Multus has written <c>network-status</c> (the MACs are then really in use); virt-launcher pods are left to the
/// VMI side, which sees the same MACs in the VMI status.
/// </summary>
internal sealed class PodCollisionController(CollisionTrackers trackers)
    : CollisionController<V1Pod>(trackers.Pods)
{
    public const string RunningPhase = "Running";

    private static string Key(V1Pod pod) => CollisionObject.PodKey(pod.Metadata.NamespaceProperty, pod.Metadata.Name);

    protected override ObservedObject Observe(V1Pod item) => Observation(item);

    /// <summary>What the collision checks see of one V1Pod (pure; unit-tested).</summary>
    public static ObservedObject Observation(V1Pod pod)
    {
        var target = new EventTarget("v1", "Pod", pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.Uid);
        var macs = RunningMacs.OfPod(pod.Metadata.Labels, pod.Metadata.Annotations, pod.Metadata.NamespaceProperty);
        if (macs.Count == 0)
        {
            return new ObservedObject(Key(pod), target, false, macs);
        }

        return new ObservedObject(Key(pod), target, pod.Status?.Phase == RunningPhase, macs);
    }
}
