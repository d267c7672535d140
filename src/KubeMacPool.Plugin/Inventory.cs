using System.Text.Json.Nodes;
using k8s.Models;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Collisions;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Plugin;

/// <summary>One object's claim on a MAC: a VM or VMI interface, or a pod network. <c>Mac</c> is canonical.</summary>
internal sealed record Holding(string Kind, string Namespace, string Name, string Interface, string Mac);

/// <summary>
/// What the caller could list, reduced to MACs with Core's parsers (the ones the pool uses): every holding (VM spec,
/// VMI spec and status, pod networks annotation) and the running objects the collision checks look at.
/// </summary>
internal sealed class Inventory
{
    public const string VirtualMachine = "VirtualMachine";
    public const string VirtualMachineInstance = "VirtualMachineInstance";
    public const string Pod = "Pod";

    public List<Holding> Holdings { get; } = [];

    public List<CollisionObject> Running { get; } = [];

    /// <summary>What could not be looked at, in the caller's words (RBAC, KubeVirt missing).</summary>
    public List<string> Notes { get; } = [];

    public void AddVirtualMachine(JsonObject vm)
    {
        var (ns, name) = Identity(vm);
        foreach (var iface in VirtualMachineInterfaces.Read(vm).Interfaces)
        {
            Add(VirtualMachine, ns, name, iface.Name, iface.MacAddress);
        }
    }

    public void AddVirtualMachineInstance(JsonObject vmi)
    {
        var (ns, name) = Identity(vmi);
        var asVm = new JsonObject { ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = vmi["spec"]?.DeepClone() } } };
        var seen = new HashSet<(string, string)>();
        foreach (var iface in VirtualMachineInterfaces.Read(asVm).Interfaces)
        {
            if (Add(VirtualMachineInstance, ns, name, iface.Name, iface.MacAddress) is { } mac)
            {
                seen.Add((iface.Name, mac));
            }
        }

        var status = VirtualMachineInstanceStatusView.Read(vmi);
        foreach (var iface in status.Interfaces)
        {
            if (MacAddress.TryParse(iface.Mac, out var mac) && !seen.Contains((iface.Name ?? "", mac.ToString())))
            {
                Add(VirtualMachineInstance, ns, name, iface.Name ?? "", iface.Mac);
            }
        }

        if (status.IsRunning)
        {
            Running.Add(new CollisionObject(
                CollisionObject.VirtualMachineInstanceKey(ns, name), RunningMacs.Parse(status.Macs), status.SourceMigrationUid, status.TargetMigrationUid));
        }
    }

    public void AddPod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var (ns, name) = (pod.Metadata?.NamespaceProperty ?? "", pod.Metadata?.Name ?? "");
        if (pod.Metadata?.Annotations?.TryGetValue(WellKnown.NetworksAnnotation, out var networks) == true)
        {
            foreach (var element in NetworkSelectionAnnotation.Parse(networks, ns).Elements)
            {
                Add(Pod, ns, name, element.InterfaceKey, element.Mac);
            }
        }

        if (pod.Status?.Phase == "Running")
        {
            Running.Add(new CollisionObject(CollisionObject.PodKey(ns, name), RunningMacs.OfPod(pod.Metadata?.Labels, pod.Metadata?.Annotations, ns)));
        }
    }

    private string? Add(string kind, string ns, string name, string iface, string? text)
    {
        if (!MacAddress.TryParse(text, out var mac))
        {
            return null;
        }

        Holdings.Add(new Holding(kind, ns, name, iface, mac.ToString()));
        return mac.ToString();
    }

    private static (string Namespace, string Name) Identity(JsonObject item) =>
        (item["metadata"]?["namespace"]?.GetValue<string>() ?? "", item["metadata"]?["name"]?.GetValue<string>() ?? "");
}
