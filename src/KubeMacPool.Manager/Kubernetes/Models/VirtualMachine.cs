using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Models;

/// <summary>
/// A KubeVirt VirtualMachine with its spec kept as raw JSON: we read interfaces from it and never write
/// the object back whole, so no KubeVirt field can be lost through a partial model.
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "VirtualMachine", PluralName = Plural)]
internal sealed class VirtualMachine : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "kubevirt.io";
    public const string Version = "v1";
    public const string Plural = "virtualmachines";

    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    public string Kind { get; set; } = "VirtualMachine";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }

    public JsonObject? Status { get; set; }
}

internal sealed class VirtualMachineList : IKubernetesObject<V1ListMeta>, IItems<VirtualMachine>
{
    public string ApiVersion { get; set; } = "kubevirt.io/v1";

    public string Kind { get; set; } = "VirtualMachineList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<VirtualMachine> Items { get; set; } = [];
}
