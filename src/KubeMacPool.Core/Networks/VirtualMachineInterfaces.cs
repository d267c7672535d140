using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>How a VM interface is connected (the key of its binding in the KubeVirt interface spec).</summary>
public enum InterfaceBinding
{
    None,
    Masquerade,
    Bridge,
    Sriov,
    Macvtap,
    Passt,
    Slirp,

    /// <summary>A network binding plugin (<c>binding: {name: …}</c>).</summary>
    Plugin,
}

/// <summary>What a VM network connects to.</summary>
public enum NetworkSource
{
    Other,

    /// <summary>The pod network (<c>pod: {}</c>).</summary>
    Pod,

    /// <summary>A Multus network (<c>multus: {networkName: …}</c>), secondary or default.</summary>
    Multus,
}

/// <summary>One interface of <c>spec.template.spec.domain.devices.interfaces</c>.</summary>
public sealed record VmInterface(int Index, string Name, string? MacAddress, InterfaceBinding Binding);

/// <summary>One network of <c>spec.template.spec.networks</c>.</summary>
public sealed record VmNetwork(string Name, NetworkSource Source, string? MultusNetworkName);

/// <summary>
/// The interfaces and networks of a VirtualMachine, read from its raw JSON (the webhook patches single fields
/// and never rewrites the object). Reading never throws: a malformed shape is an <see cref="Error"/>.
/// </summary>
public sealed class VirtualMachineInterfaces
{
    public const string InterfacesPointer = "/spec/template/spec/domain/devices/interfaces";

    private VirtualMachineInterfaces(bool hasTemplate, IReadOnlyList<VmInterface> interfaces, IReadOnlyList<VmNetwork> networks, string? error)
    {
        HasTemplate = hasTemplate;
        Interfaces = interfaces;
        Networks = networks;
        Error = error;
    }

    public bool HasTemplate { get; }

    public IReadOnlyList<VmInterface> Interfaces { get; }

    public IReadOnlyList<VmNetwork> Networks { get; }

    public string? Error { get; }

    /// <summary>The raw interfaces array (for deep comparison between old and new objects).</summary>
    public static JsonNode? InterfacesNode(JsonObject vm) => vm["spec"]?["template"]?["spec"]?["domain"]?["devices"]?["interfaces"];

    public static string MacAddressPointer(int index) => $"{InterfacesPointer}/{index}/macAddress";

    public static VirtualMachineInterfaces Read(JsonObject vm)
    {
        try
        {
            if (vm["spec"]?["template"] is not JsonObject template)
            {
                return new VirtualMachineInterfaces(false, [], [], null);
            }

            var interfaces = new List<VmInterface>();
            if (template["spec"]?["domain"]?["devices"]?["interfaces"] is { } ifacesNode)
            {
                if (ifacesNode is not JsonArray ifaces)
                {
                    return Malformed("spec.template.spec.domain.devices.interfaces must be a list");
                }

                for (var i = 0; i < ifaces.Count; i++)
                {
                    if (ifaces[i] is not JsonObject iface || iface["name"] is not JsonValue nameValue || nameValue.GetValueKind() != JsonValueKind.String)
                    {
                        return Malformed($"interface {i} must be an object with a string name");
                    }

                    var mac = iface["macAddress"];
                    if (mac is not null && mac.GetValueKind() != JsonValueKind.String)
                    {
                        return Malformed($"interface {nameValue}: macAddress must be a string");
                    }

                    var macText = mac?.GetValue<string>();
                    interfaces.Add(new VmInterface(i, nameValue.GetValue<string>(), string.IsNullOrEmpty(macText) ? null : macText, BindingOf(iface)));
                }
            }

            var networks = new List<VmNetwork>();
            if (template["spec"]?["networks"] is { } networksNode)
            {
                if (networksNode is not JsonArray list)
                {
                    return Malformed("spec.template.spec.networks must be a list");
                }

                foreach (var network in list)
                {
                    if (network is not JsonObject net || net["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
                    {
                        return Malformed("every network must be an object with a string name");
                    }

                    networks.Add(net switch
                    {
                        _ when net["pod"] is JsonObject => new VmNetwork(name.GetValue<string>(), NetworkSource.Pod, null),
                        _ when net["multus"] is JsonObject multus => new VmNetwork(name.GetValue<string>(), NetworkSource.Multus, multus["networkName"]?.ToString()),
                        _ => new VmNetwork(name.GetValue<string>(), NetworkSource.Other, null),
                    });
                }
            }

            return new VirtualMachineInterfaces(true, interfaces, networks, null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return Malformed(e.Message);
        }
    }

    /// <summary>
    /// Whether kubemacpool gives this interface a MAC (upstream's rule): a masquerade interface (pod network), or
    /// any interface whose network is a Multus network. Not: bridge, passt or plugin bindings on the pod network,
    /// slirp, or an interface without a matching network.
    /// </summary>
    public bool GetsMac(VmInterface iface)
    {
        if (iface.Binding == InterfaceBinding.Masquerade)
        {
            return true;
        }

        return Networks.FirstOrDefault(n => n.Name == iface.Name)?.Source == NetworkSource.Multus && iface.Binding != InterfaceBinding.Slirp;
    }

    /// <summary>Interface names must be unique, or MACs get lost (upstream #358).</summary>
    public string? DuplicateNameError() =>
        Interfaces.GroupBy(i => i.Name, StringComparer.Ordinal).Any(g => g.Count() > 1)
            ? "Failed to mutate virtual machine: every interface must have a unique name"
            : null;

    private static InterfaceBinding BindingOf(JsonObject iface) => iface switch
    {
        _ when iface.ContainsKey("masquerade") => InterfaceBinding.Masquerade,
        _ when iface.ContainsKey("bridge") => InterfaceBinding.Bridge,
        _ when iface.ContainsKey("sriov") => InterfaceBinding.Sriov,
        _ when iface.ContainsKey("macvtap") => InterfaceBinding.Macvtap,
        _ when iface.ContainsKey("passt") => InterfaceBinding.Passt,
        _ when iface.ContainsKey("slirp") => InterfaceBinding.Slirp,
        _ when iface.ContainsKey("binding") => InterfaceBinding.Plugin,
        _ => InterfaceBinding.None,
    };

    private static VirtualMachineInterfaces Malformed(string error) => new(true, [], [], "invalid virtual machine: " + error);
}
