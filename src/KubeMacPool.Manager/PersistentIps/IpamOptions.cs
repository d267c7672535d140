namespace KubeMacPool.Manager.PersistentIps;

/// <summary>Settings of the persistent-IP feature.</summary>
internal sealed class IpamOptions
{
    /// <summary>
    /// <c>--default-network-nad-namespace</c>: where Multus finds the cluster default network's NAD, named in the
    /// default-network element of pods on a primary user-defined network (ipam-extensions' flag and default).
    /// </summary>
    public string DefaultNetworkNadNamespace { get; set; } = "ovn-kubernetes";
}
