using System.Text.Json.Nodes;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Ipam;

/// <summary>Reads a VirtualMachineInstance's interfaces and networks.</summary>
public static class VmiSpec
{
    /// <summary>
    /// A VMI's <c>spec</c> has the shape of a VM's <c>spec.template.spec</c> (KubeVirt copies one into the other), so it is
    /// read by the same never-throwing reader; errors name the VM path.
    /// </summary>
    public static VirtualMachineInterfaces Read(JsonNode? spec) =>
        VirtualMachineInterfaces.ReadSpec(new JsonObject { ["template"] = new JsonObject { ["spec"] = spec?.DeepClone() } });

    /// <summary>Whether <c>status.activePods</c> (pod UID → node) lists any pod.</summary>
    public static bool HasActivePods(JsonNode? status) =>
        JsonNav.Child(status, "activePods") is JsonObject { Count: > 0 };
}
