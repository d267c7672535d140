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

    private JsonObject? _spec;
    private byte[]? _packedSpec;

    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The spec; on a cached VM it is kept packed (UTF-8 JSON) and every read parses a fresh copy.</summary>
    public JsonObject? Spec
    {
        get => _spec ?? (_packedSpec is null ? null : JsonNode.Parse(_packedSpec) as JsonObject);
        set
        {
            _spec = value;
            _packedSpec = null;
        }
    }

    public JsonObject? Status { get; set; }

    /// <summary>
    /// Keeps the spec as UTF-8 JSON (<paramref name="utf8Json"/>) instead of a node tree: a parsed tree costs ~2 KB
    /// per VM, its text a few hundred bytes, and cached VMs are read far less often than they are held.
    /// </summary>
    public void PackSpec(byte[]? utf8Json)
    {
        _spec = null;
        _packedSpec = utf8Json;
    }

    /// <summary>True once the spec is held packed, i.e. this VM is in the shape the cache keeps.</summary>
    public bool IsPacked => _spec is null && _packedSpec is not null;

    /// <summary>The packed spec's UTF-8 JSON, for readers that parse it in place; null unless <see cref="IsPacked"/>.</summary>
    public ReadOnlyMemory<byte>? PackedSpec => IsPacked ? _packedSpec : (ReadOnlyMemory<byte>?)null;
}

/// <summary>The list type of the generic watch call (<see cref="Informers.ResourceClients.VirtualMachines"/>); lists are read by <see cref="Informers.VirtualMachineReader"/>.</summary>
internal sealed class VirtualMachineList : IKubernetesObject<V1ListMeta>, IItems<VirtualMachine>
{
    public string ApiVersion { get; set; } = $"{VirtualMachine.Group}/{VirtualMachine.Version}";

    public string Kind { get; set; } = "VirtualMachineList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<VirtualMachine> Items { get; set; } = [];
}
