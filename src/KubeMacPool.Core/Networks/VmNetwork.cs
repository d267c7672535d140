namespace KubeMacPool.Core.Networks;

/// <summary>What a VM network connects to.</summary>
public enum NetworkSource
{
    /// <summary>Neither the pod network nor Multus.</summary>
    Other,

    /// <summary>The pod network, <c>pod: {}</c>.</summary>
    Pod,

    /// <summary>A Multus network, <c>multus: {networkName: …}</c>, secondary or the default one.</summary>
    Multus,
}

/// <summary>
/// One entry of <c>spec.template.spec.networks</c>. For Multus networks, <paramref name="MultusNetworkName"/> is
/// <c>networkName</c> and <paramref name="IsDefault"/> is <c>default: true</c> (Multus replaces the pod network).
/// </summary>
public sealed record VmNetwork(string Name, NetworkSource Source, string? MultusNetworkName = null, bool IsDefault = false);
