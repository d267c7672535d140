namespace KubeMacPool.Core.Ipam;

/// <summary>A NetworkAttachmentDefinition named by <c>multus.networkName</c> or a selection element.</summary>
public readonly record struct NadReference(string Namespace, string Name)
{
    /// <summary><c>ns/name</c>, or a bare <c>name</c> in <paramref name="defaultNamespace"/> (the VMI's or pod's).</summary>
    public static NadReference Parse(string networkName, string defaultNamespace)
    {
        var slash = networkName.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new NadReference(defaultNamespace, networkName)
            : new NadReference(networkName[..slash], networkName[(slash + 1)..]);
    }

    public override string ToString() => Namespace + "/" + Name;
}

/// <summary>What looking a NetworkAttachmentDefinition up gave: its config, or that it is missing or unreadable.</summary>
public sealed record NadLookup(NadNetworkConfig? Config, string? Error)
{
    public static readonly NadLookup Missing = new(null, null);

    public bool Exists => Config is not null || Error is not null;

    /// <summary>Looks at a NAD's <c>spec.config</c> (the NAD exists).</summary>
    public static NadLookup Of(string? config)
    {
        var parsed = NadNetworkConfig.Parse(config);
        return new NadLookup(parsed.Config, parsed.Error);
    }
}

/// <summary>Finds a namespace's primary user-defined network among its NADs.</summary>
public static class PrimaryNetwork
{
    /// <summary>
    /// The config of the first NAD (in the given order) whose config says <c>role: primary</c>, or null. NADs whose config
    /// cannot be read are passed over here: one broken NAD must not stop every VM of the namespace (the controller reports
    /// it where a VM refers to it).
    /// </summary>
    public static NadNetworkConfig? Find(IEnumerable<string?> configs) =>
        configs.Select(c => NadNetworkConfig.Parse(c).Config).FirstOrDefault(c => c is { IsPrimary: true });
}
