namespace KubeMacPool.Dhcp.Tests.Clients;

/// <summary>Tests that create namespaces, veths and bind port 67 as root run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkNamespaceGroup
{
    public const string Name = "network namespaces";
}
