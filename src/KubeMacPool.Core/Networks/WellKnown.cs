namespace KubeMacPool.Core.Networks;

/// <summary>Names users and other components see: annotations, labels, values (kubemacpool's, Multus', KubeVirt's).</summary>
public static class WellKnown
{
    public const string NetworksAnnotation = "k8s.v1.cni.cncf.io/networks";
    public const string NetworkStatusAnnotation = "k8s.v1.cni.cncf.io/network-status";
    public const string TransactionTimestampAnnotation = "kubemacpool.io/transaction-timestamp";
    public const string LegacyFinalizer = "k8s.v1.cni.cncf.io/kubeMacPool";

    public const string PodsWebhook = "mutatepods.kubemacpool.io";
    public const string VirtualMachinesWebhook = "mutatevirtualmachines.kubemacpool.io";
    public const string OptInValue = "allocate";
    public const string OptOutValue = "ignore";
    public const string RunLevelLabel = "runlevel";
    public const string OpenShiftRunLevelLabel = "openshift.io/run-level";

    public const string KubeVirtLabel = "kubevirt.io";
    public const string VirtLauncherValue = "virt-launcher";
}
