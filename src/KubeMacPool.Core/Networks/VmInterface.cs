namespace KubeMacPool.Core.Networks;

/// <summary>How a VM interface is connected: the binding key set in its KubeVirt interface spec.</summary>
public enum InterfaceBinding
{
    /// <summary>No binding given (KubeVirt defaults it later; to kubemacpool it is not masquerade).</summary>
    None,
    Masquerade,
    Bridge,
    Sriov,
    Macvtap,
    Passt,
    Slirp,

    /// <summary>A network binding plugin, <c>binding: {name: …}</c>.</summary>
    Plugin,
}

/// <summary>
/// One entry of <c>spec.template.spec.domain.devices.interfaces</c>. <paramref name="Index"/> is its position (for
/// patch paths); <paramref name="MacAddress"/> is verbatim, null when absent or empty.
/// </summary>
public sealed record VmInterface(int Index, string Name, string? MacAddress, InterfaceBinding Binding, string? BindingPlugin = null);
