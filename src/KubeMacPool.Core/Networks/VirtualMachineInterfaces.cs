using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// The interfaces and networks of a VirtualMachine, read from its raw JSON: the webhook patches single fields and
/// never rewrites the object, so no KubeVirt field can be lost through a partial model. Reading never throws: a
/// malformed shape gives <see cref="Error"/> (and no interfaces), so check it before using the lists.
/// </summary>
public sealed class VirtualMachineInterfaces
{
    public const string DuplicateInterfaceNameError = "Failed to mutate virtual machine: every interface must have a unique name";

    public const string InterfacesPointer = JsonPointer.Interfaces;

    private const string InterfacesPath = "spec.template.spec.domain.devices.interfaces";
    private const string NetworksPath = "spec.template.spec.networks";

    private static readonly (string Key, InterfaceBinding Binding)[] Bindings =
    [
        // Masquerade first: upstream's rule only asks "is masquerade set", whatever else is.
        ("masquerade", InterfaceBinding.Masquerade),
        ("bridge", InterfaceBinding.Bridge),
        ("sriov", InterfaceBinding.Sriov),
        ("macvtap", InterfaceBinding.Macvtap),
        ("passt", InterfaceBinding.Passt),
        ("slirp", InterfaceBinding.Slirp),
    ];

    private VirtualMachineInterfaces(bool hasTemplate, IReadOnlyList<VmInterface> interfaces, IReadOnlyList<VmNetwork> networks, string? error)
    {
        HasTemplate = hasTemplate;
        Interfaces = interfaces;
        Networks = networks;
        Error = error;
    }

    /// <summary>
    /// False when <c>spec.template</c> is absent (upstream allows such a VM without a patch). True for a malformed
    /// VM, so that checking this first still leads to <see cref="Error"/>.
    /// </summary>
    public bool HasTemplate { get; }

    /// <summary>Why the VM could not be read ("invalid virtual machine: …"), or null.</summary>
    public string? Error { get; }

    public IReadOnlyList<VmInterface> Interfaces { get; }

    public IReadOnlyList<VmNetwork> Networks { get; }

    /// <summary>
    /// The interfaces the create path and the startup scan give a MAC to (spec §3.11), in order. None when the VM
    /// has no interfaces or no networks at all (upstream returns early then, even for masquerade).
    /// </summary>
    public IReadOnlyList<VmInterface> InterfacesGettingMacs =>
        Networks.Count == 0 ? [] : Interfaces.Where(GetsMac).ToList();

    /// <summary>Reads a whole VirtualMachine object (its <c>spec</c>).</summary>
    public static VirtualMachineInterfaces Read(JsonObject vm)
    {
        try
        {
            return ReadSpec(JsonNav.Child(vm, "spec"));
        }
        catch (ArgumentException e)
        {
            return Malformed(e.Message); // a JsonObject parsed from text with a duplicate key throws when first indexed
        }
    }

    /// <summary>Reads a VirtualMachine's <c>spec</c> (null when the object has none).</summary>
    public static VirtualMachineInterfaces ReadSpec(JsonNode? spec)
    {
        try
        {
            return Parse(spec, out var view) is { } error ? Malformed(error) : view!;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return Malformed(e.Message);
        }
    }

    /// <summary>The raw interfaces list of a VM object (null when absent or not reachable).</summary>
    public static JsonNode? InterfacesNode(JsonObject vm)
    {
        try
        {
            return JsonNav.Path(vm, "spec", "template", "spec", "domain", "devices", "interfaces");
        }
        catch (ArgumentException)
        {
            return null; // a duplicate key on the way
        }
    }

    /// <summary>The patch path of the MAC of the interface at <paramref name="index"/>.</summary>
    public static string MacAddressPointer(int index) => JsonPointer.InterfaceMacAddress(index);

    /// <summary>
    /// Whether this interface gets a MAC (upstream's rule, spec §3.11): it uses the masquerade binding (the pod
    /// network), or its network (same name) is a Multus network, whatever the binding and including Multus
    /// <c>default: true</c>. Not: bridge, passt, slirp or plugin bindings on the pod network, or an interface whose
    /// network does not exist.
    /// </summary>
    public bool GetsMac(VmInterface iface) =>
        iface.Binding == InterfaceBinding.Masquerade || FindNetwork(iface.Name)?.Source == NetworkSource.Multus;

    /// <summary>The network an interface connects to; the last of that name, as upstream's name-keyed map.</summary>
    public VmNetwork? FindNetwork(string name) => Networks.LastOrDefault(n => n.Name == name);

    /// <summary>Two interfaces with one name would share a pool entry and lose a MAC (upstream #358).</summary>
    public string? DuplicateNameError() =>
        Interfaces.Select(i => i.Name).Distinct(StringComparer.Ordinal).Count() == Interfaces.Count ? null : DuplicateInterfaceNameError;

    /// <summary>
    /// Whether the interfaces list differs between two versions of a VM, the way upstream's deep compare of the
    /// decoded structs sees it: key order, null versus absent and "" versus absent do not count. An absent list
    /// equals an empty one (both mean "no MAC work").
    /// </summary>
    public static bool InterfacesDiffer(JsonObject oldVm, JsonObject newVm)
    {
        try
        {
            return !GoJsonEquality.Equal(NonEmpty(InterfacesNode(oldVm)), NonEmpty(InterfacesNode(newVm)));
        }
        catch (ArgumentException)
        {
            return true; // a duplicate key inside the lists: let the update path look
        }

        static JsonNode? NonEmpty(JsonNode? list) => list is JsonArray { Count: 0 } ? null : list;
    }

    private static string? Parse(JsonNode? spec, out VirtualMachineInterfaces? view)
    {
        view = null;
        string? error = null;
        if (!TryObject(spec, "spec", ref error, out var specObj) || !TryObject(specObj?["template"], "spec.template", ref error, out var template))
        {
            return error;
        }

        if (template is null)
        {
            view = new VirtualMachineInterfaces(false, [], [], null);
            return null;
        }

        if (!TryObject(template["spec"], "spec.template.spec", ref error, out var templateSpec)
            || !TryObject(templateSpec?["domain"], "spec.template.spec.domain", ref error, out var domain)
            || !TryObject(domain?["devices"], "spec.template.spec.domain.devices", ref error, out var devices)
            || !TryList(devices?["interfaces"], InterfacesPath, ref error, out var interfaceNodes)
            || !TryList(templateSpec?["networks"], NetworksPath, ref error, out var networkNodes))
        {
            return error;
        }

        var interfaces = new List<VmInterface>();
        for (var i = 0; i < interfaceNodes.Count; i++)
        {
            if (ReadInterface(interfaceNodes[i], i, out var iface) is { } problem)
            {
                return problem;
            }

            interfaces.Add(iface!);
        }

        var networks = new List<VmNetwork>();
        for (var i = 0; i < networkNodes.Count; i++)
        {
            if (ReadNetwork(networkNodes[i], $"{NetworksPath}[{i}]", out var network) is { } problem)
            {
                return problem;
            }

            networks.Add(network!);
        }

        view = new VirtualMachineInterfaces(true, interfaces, networks, null);
        return null;
    }

    private static string? ReadInterface(JsonNode? node, int index, out VmInterface? iface)
    {
        iface = null;
        string? error = null;
        var path = $"{InterfacesPath}[{index}]";
        if (node is not JsonObject obj)
        {
            return $"{path} must be an object, not {NetworkSelectionFields.Describe(node)}";
        }

        if (!TryString(obj["name"], path + ".name", ref error, out var name) || !TryString(obj["macAddress"], path + ".macAddress", ref error, out var mac))
        {
            return error;
        }

        var binding = InterfaceBinding.None;
        foreach (var (key, kind) in Bindings)
        {
            if (!TryObject(obj[key], $"{path}.{key}", ref error, out var set))
            {
                return error;
            }

            if (set is not null && binding == InterfaceBinding.None)
            {
                binding = kind;
            }
        }

        if (!TryObject(obj["binding"], path + ".binding", ref error, out var plugin)
            || !TryString(plugin?["name"], path + ".binding.name", ref error, out var pluginName))
        {
            return error;
        }

        if (plugin is not null && binding == InterfaceBinding.None)
        {
            binding = InterfaceBinding.Plugin;
        }

        iface = new VmInterface(index, name ?? "", string.IsNullOrEmpty(mac) ? null : mac, binding, plugin is null ? null : pluginName);
        return null;
    }

    private static string? ReadNetwork(JsonNode? node, string path, out VmNetwork? network)
    {
        network = null;
        string? error = null;
        if (node is not JsonObject obj)
        {
            return $"{path} must be an object, not {NetworkSelectionFields.Describe(node)}";
        }

        if (!TryString(obj["name"], path + ".name", ref error, out var name)
            || !TryObject(obj["pod"], path + ".pod", ref error, out var pod)
            || !TryObject(obj["multus"], path + ".multus", ref error, out var multus)
            || !TryString(multus?["networkName"], path + ".multus.networkName", ref error, out var networkName))
        {
            return error;
        }

        var isDefault = multus?["default"];
        if (isDefault is not null && isDefault.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return $"{path}.multus.default must be a boolean, not {NetworkSelectionFields.Describe(isDefault)}";
        }

        // Multus before pod: upstream only asks "is multus set" (KubeVirt refuses both at once anyway).
        network = multus is not null
            ? new VmNetwork(name ?? "", NetworkSource.Multus, networkName, isDefault?.GetValue<bool>() ?? false)
            : new VmNetwork(name ?? "", pod is not null ? NetworkSource.Pod : NetworkSource.Other);
        return null;
    }

    // Each helper: null is "absent" (Go's zero value); a wrong JSON type sets the error and returns false.
    private static bool TryObject(JsonNode? node, string path, ref string? error, out JsonObject? obj)
    {
        obj = node as JsonObject;
        return node is null || obj is not null || Fail($"{path} must be an object, not {NetworkSelectionFields.Describe(node)}", ref error);
    }

    private static bool TryList(JsonNode? node, string path, ref string? error, out JsonArray array)
    {
        array = node as JsonArray ?? [];
        return node is null or JsonArray || Fail($"{path} must be a list, not {NetworkSelectionFields.Describe(node)}", ref error);
    }

    private static bool TryString(JsonNode? node, string path, ref string? error, out string? text)
    {
        text = node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        return node is null || text is not null || Fail($"{path} must be a string, not {NetworkSelectionFields.Describe(node)}", ref error);
    }

    private static VirtualMachineInterfaces Malformed(string error) => new(true, [], [], "invalid virtual machine: " + error);

    private static bool Fail(string problem, ref string? error)
    {
        error = problem;
        return false;
    }
}
