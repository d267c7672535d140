using System.Text;
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

    // The keys an interface is read by, in one pass: name, macAddress, binding, then the bindings in their order.
    private const int FirstBindingKey = 3;
    private static readonly byte[][] InterfaceKeys =
        [.. new[] { "name", "macAddress", "binding" }.Concat(Bindings.Select(b => b.Key)).Select(Encoding.UTF8.GetBytes)];

    private static readonly byte[][] NetworkKeys = [.. new[] { "name", "pod", "multus" }.Select(Encoding.UTF8.GetBytes)];

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
    public IReadOnlyList<VmInterface> InterfacesGettingMacs
    {
        get
        {
            if (Networks.Count == 0)
            {
                return [];
            }

            // Indexed, not foreach: an enumerator over the interface type is boxed, and every VM admission asks. The
            // usual VM gives every interface a MAC: then the list is the interfaces themselves, not a copy.
            List<VmInterface>? getting = null;
            for (var i = 0; i < Interfaces.Count; i++)
            {
                if (!GetsMac(Interfaces[i]))
                {
                    getting ??= [.. Interfaces.Take(i)];
                }
                else
                {
                    getting?.Add(Interfaces[i]);
                }
            }

            return getting ?? Interfaces;
        }
    }

    /// <summary>Reads a whole VirtualMachine object (its <c>spec</c>): the admission path, straight from the review.</summary>
    public static VirtualMachineInterfaces Read(JsonElement vm) => ReadElement(JsonNav.Child(vm, "spec"u8));

    /// <summary>Reads a VirtualMachine's <c>spec</c> (null when the object has none).</summary>
    private static VirtualMachineInterfaces ReadElement(JsonElement? spec)
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

    /// <summary>Reads a whole VirtualMachine tree (its <c>spec</c>).</summary>
    public static VirtualMachineInterfaces Read(JsonObject vm) => ReadNode(vm, static v => JsonNav.Child(v, "spec"));

    /// <summary>Reads a VirtualMachine's <c>spec</c> tree (null when the object has none).</summary>
    public static VirtualMachineInterfaces ReadSpec(JsonNode? spec) => ReadNode(spec, static s => s);

    /// <summary>Reads a <c>spec</c> held as UTF-8 JSON (a cached VM's packed spec) in place: no tree on the rebuild path.</summary>
    public static VirtualMachineInterfaces ReadPackedSpec(ReadOnlyMemory<byte> utf8Spec)
    {
        try
        {
            using var document = JsonTrees.Parse(utf8Spec);
            return ReadElement(document.RootElement);
        }
        catch (JsonException e)
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
    public VmNetwork? FindNetwork(string name)
    {
        for (var i = Networks.Count - 1; i >= 0; i--)
        {
            if (Networks[i].Name == name)
            {
                return Networks[i];
            }
        }

        return null;
    }

    /// <summary>Two interfaces with one name would share a pool entry and lose a MAC (upstream #358).</summary>
    public string? DuplicateNameError()
    {
        // The usual VM has a handful of interfaces: a pairwise look costs no set; a set bounds a huge list.
        if (Interfaces.Count > 8)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            return Interfaces.All(i => names.Add(i.Name)) ? null : DuplicateInterfaceNameError;
        }

        for (var i = 1; i < Interfaces.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (Interfaces[i].Name == Interfaces[j].Name)
                {
                    return DuplicateInterfaceNameError;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the interfaces list differs between two versions of a VM, the way upstream's deep compare of the
    /// decoded structs sees it: key order, null versus absent and "" versus absent do not count. An absent list
    /// equals an empty one (both mean "no MAC work").
    /// </summary>
    public static bool InterfacesDiffer(JsonElement oldVm, JsonElement newVm) =>
        !GoJsonEquality.Equal(NonEmpty(InterfacesElement(oldVm)), NonEmpty(InterfacesElement(newVm)));

    /// <summary><see cref="InterfacesDiffer(JsonElement, JsonElement)"/> of two trees.</summary>
    public static bool InterfacesDiffer(JsonObject oldVm, JsonObject newVm)
    {
        try
        {
            using var oldDocument = JsonTrees.ToDocument(oldVm);
            using var newDocument = JsonTrees.ToDocument(newVm);
            return InterfacesDiffer(oldDocument.RootElement, newDocument.RootElement);
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            return true; // a duplicate key inside the lists: let the update path look
        }
    }

    private static JsonElement? InterfacesElement(JsonElement vm) =>
        JsonNav.Path(vm, "spec", "template", "spec", "domain", "devices", "interfaces");

    private static JsonElement? NonEmpty(JsonElement? list) => list is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() == 0 ? null : list;

    // One reader: a tree (the cold callers') is written out and read as an element; a duplicate key is an error.
    private static VirtualMachineInterfaces ReadNode<T>(T node, Func<T, JsonNode?> select)
        where T : JsonNode?
    {
        try
        {
            if (select(node) is not { } selected)
            {
                return ReadElement(null);
            }

            using var document = JsonTrees.ToDocument(selected);
            return ReadElement(document.RootElement);
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            return Malformed(e.Message);
        }
    }

    private static string? Parse(JsonElement? spec, out VirtualMachineInterfaces? view)
    {
        view = null;
        string? error = null;
        if (!TryObject(spec, "spec", ref error, out var specObj) || !TryObject(JsonNav.Child(specObj, "template"u8), "spec.template", ref error, out var template))
        {
            return error;
        }

        if (template is null)
        {
            view = new VirtualMachineInterfaces(false, [], [], null);
            return null;
        }

        if (!TryObject(JsonNav.Child(template, "spec"u8), "spec.template.spec", ref error, out var templateSpec)
            || !TryObject(JsonNav.Child(templateSpec, "domain"u8), "spec.template.spec.domain", ref error, out var domain)
            || !TryObject(JsonNav.Child(domain, "devices"u8), "spec.template.spec.domain.devices", ref error, out var devices)
            || !TryList(JsonNav.Child(devices, "interfaces"u8), InterfacesPath, ref error, out var interfaceNodes)
            || !TryList(JsonNav.Child(templateSpec, "networks"u8), NetworksPath, ref error, out var networkNodes))
        {
            return error;
        }

        var interfaces = new List<VmInterface>(interfaceNodes?.GetArrayLength() ?? 0);
        var index = 0;
        foreach (var node in interfaceNodes?.EnumerateArray() ?? default)
        {
            if (ReadInterface(node, index++, out var iface) is { } problem)
            {
                return problem;
            }

            interfaces.Add(iface!);
        }

        var networks = new List<VmNetwork>(networkNodes?.GetArrayLength() ?? 0);
        index = 0;
        foreach (var node in networkNodes?.EnumerateArray() ?? default)
        {
            if (ReadNetwork(node, index++, out var network) is { } problem)
            {
                return problem;
            }

            networks.Add(network!);
        }

        view = new VirtualMachineInterfaces(true, interfaces, networks, null);
        return null;
    }

    private static string? ReadInterface(JsonElement node, int index, out VmInterface? iface)
    {
        iface = null;
        string? error = null;
        if (node.ValueKind != JsonValueKind.Object)
        {
            return $"{InterfacesPath}[{index}] must be an object, not {NetworkSelectionFields.Describe(node.ValueKind)}";
        }

        // One pass over the keys: reading the interfaces was the bulk of a VM review.
        var fields = default(JsonFields);
        JsonNav.ReadFields(node, InterfaceKeys, fields);
        if (!TryString(fields[0], InterfacesPath, index, "name", ref error, out var nameText)
            || !TryString(fields[1], InterfacesPath, index, "macAddress", ref error, out var macText))
        {
            return error;
        }

        var binding = InterfaceBinding.None;
        for (var b = 0; b < Bindings.Length; b++)
        {
            if (!TryObject(fields[FirstBindingKey + b], InterfacesPath, index, Bindings[b].Key, ref error, out var set))
            {
                return error;
            }

            if (set is not null && binding == InterfaceBinding.None)
            {
                binding = Bindings[b].Binding;
            }
        }

        if (!TryObject(fields[2], InterfacesPath, index, "binding", ref error, out var pluginObj)
            || !TryString(JsonNav.Child(pluginObj, "name"u8), InterfacesPath, index, "binding.name", ref error, out var pluginName))
        {
            return error;
        }

        if (pluginObj is not null && binding == InterfaceBinding.None)
        {
            binding = InterfaceBinding.Plugin;
        }

        iface = new VmInterface(index, nameText ?? "", string.IsNullOrEmpty(macText) ? null : macText, binding, pluginObj is null ? null : pluginName);
        return null;
    }

    private static string? ReadNetwork(JsonElement node, int index, out VmNetwork? network)
    {
        network = null;
        string? error = null;
        if (node.ValueKind != JsonValueKind.Object)
        {
            return $"{NetworksPath}[{index}] must be an object, not {NetworkSelectionFields.Describe(node.ValueKind)}";
        }

        var fields = default(JsonFields);
        JsonNav.ReadFields(node, NetworkKeys, fields);
        if (!TryString(fields[0], NetworksPath, index, "name", ref error, out var nameText)
            || !TryObject(fields[1], NetworksPath, index, "pod", ref error, out var podObj)
            || !TryObject(fields[2], NetworksPath, index, "multus", ref error, out var multusObj)
            || !TryString(JsonNav.Child(multusObj, "networkName"u8), NetworksPath, index, "multus.networkName", ref error, out var networkName))
        {
            return error;
        }

        var isDefault = JsonNav.Child(multusObj, "default"u8);
        if (isDefault is { ValueKind: not (JsonValueKind.True or JsonValueKind.False) } notBoolean)
        {
            return $"{NetworksPath}[{index}].multus.default must be a boolean, not {NetworkSelectionFields.Describe(notBoolean.ValueKind)}";
        }

        // Multus before pod: upstream only asks "is multus set" (KubeVirt refuses both at once anyway).
        network = multusObj is not null
            ? new VmNetwork(nameText ?? "", NetworkSource.Multus, networkName, isDefault?.ValueKind == JsonValueKind.True)
            : new VmNetwork(nameText ?? "", podObj is not null ? NetworkSource.Pod : NetworkSource.Other);
        return null;
    }

    // Each helper: null is "absent" (Go's zero value); a wrong JSON type sets the error and returns false. Paths of
    // list items are only formatted on an error: the valid VM, the common case, costs no string work.
    private static bool TryObject(JsonElement? node, string path, ref string? error, out JsonElement? obj)
    {
        obj = node is { ValueKind: JsonValueKind.Object } ? node : null;
        return node is null || obj is not null || Fail($"{path} must be an object, not {NetworkSelectionFields.Describe(node.Value.ValueKind)}", ref error);
    }

    private static bool TryObject(JsonElement? node, string list, int index, string field, ref string? error, out JsonElement? obj)
    {
        obj = node is { ValueKind: JsonValueKind.Object } ? node : null;
        return node is null || obj is not null || Fail($"{list}[{index}].{field} must be an object, not {NetworkSelectionFields.Describe(node.Value.ValueKind)}", ref error);
    }

    private static bool TryList(JsonElement? node, string path, ref string? error, out JsonElement? array)
    {
        array = node is { ValueKind: JsonValueKind.Array } ? node : null;
        return node is null || array is not null || Fail($"{path} must be a list, not {NetworkSelectionFields.Describe(node.Value.ValueKind)}", ref error);
    }

    private static bool TryString(JsonElement? node, string list, int index, string field, ref string? error, out string? text)
    {
        text = node is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
        return node is null || text is not null || Fail($"{list}[{index}].{field} must be a string, not {NetworkSelectionFields.Describe(node.Value.ValueKind)}", ref error);
    }

    private static VirtualMachineInterfaces Malformed(string error) => new(true, [], [], "invalid virtual machine: " + error);

    private static bool Fail(string problem, ref string? error)
    {
        error = problem;
        return false;
    }
}
