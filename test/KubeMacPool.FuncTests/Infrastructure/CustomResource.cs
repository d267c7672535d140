namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>Coordinates of a custom resource served by the cluster (group, version, plural, kind).</summary>
public sealed record CustomResource(string Group, string Version, string Plural, string Kind)
{
    public string ApiVersion => string.IsNullOrEmpty(Group) ? Version : $"{Group}/{Version}";

    public override string ToString() => $"{Plural}.{Group}/{Version}";
}

/// <summary>The custom resources <c>cluster/up.sh</c> installs (KubeVirt, Multus, IPAM claims).</summary>
public static class CustomResources
{
    public static readonly CustomResource VirtualMachines = new("kubevirt.io", "v1", "virtualmachines", "VirtualMachine");

    public static readonly CustomResource VirtualMachineInstances = new("kubevirt.io", "v1", "virtualmachineinstances", "VirtualMachineInstance");

    public static readonly CustomResource NetworkAttachmentDefinitions = new("k8s.cni.cncf.io", "v1", "network-attachment-definitions", "NetworkAttachmentDefinition");

    public static readonly CustomResource IpamClaims = new("k8s.cni.cncf.io", "v1alpha1", "ipamclaims", "IPAMClaim");
}
