using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Models;

/// <summary>A KubeVirt VirtualMachineInstance, spec and status kept as raw JSON.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "VirtualMachineInstance", PluralName = Plural)]
internal sealed class VirtualMachineInstance : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "kubevirt.io";
    public const string Version = "v1";
    public const string Plural = "virtualmachineinstances";

    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    public string Kind { get; set; } = "VirtualMachineInstance";

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonObject? Spec { get; set; }

    public JsonObject? Status { get; set; }
}

internal sealed class VirtualMachineInstanceList : IKubernetesObject<V1ListMeta>, IItems<VirtualMachineInstance>
{
    public string ApiVersion { get; set; } = "kubevirt.io/v1";

    public string Kind { get; set; } = "VirtualMachineInstanceList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<VirtualMachineInstance> Items { get; set; } = [];
}
