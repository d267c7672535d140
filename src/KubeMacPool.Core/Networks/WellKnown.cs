namespace KubeMacPool.Core.Networks;

/// <summary>Names users and other components see: annotations, labels, values (kubemacpool's, Multus', KubeVirt's).</summary>
public static class WellKnown
{
    /// <summary>Multus' request: which networks a pod joins (and the MAC it asks for on each).</summary>
    public const string NetworksAnnotation = "k8s.v1.cni.cncf.io/networks";

    /// <summary>Multus' status; its presence means Multus has already wired the pod, so the pod webhook skips it.</summary>
    public const string NetworkStatusAnnotation = "k8s.v1.cni.cncf.io/network-status";

    public const string TransactionTimestampAnnotation = "kubemacpool.io/transaction-timestamp";

    /// <summary>Only ever removed: kubemacpool stopped adding it in 2021 (upstream #312).</summary>
    public const string LegacyFinalizer = "k8s.v1.cni.cncf.io/kubeMacPool";

    /// <summary>Webhook names, which are also the namespace opt-in / opt-out label keys.</summary>
    public const string PodsWebhook = "mutatepods.kubemacpool.io";
    public const string VirtualMachinesWebhook = "mutatevirtualmachines.kubemacpool.io";
    public const string OptInValue = "allocate";
    public const string OptOutValue = "ignore";

    /// <summary>Critical namespaces (value "0" or "1") are never mutated, so the cluster can always start.</summary>
    public const string RunLevelLabel = "runlevel";
    public const string OpenShiftRunLevelLabel = "openshift.io/run-level";

    /// <summary><c>kubevirt.io=virt-launcher</c> marks the pods that run VMs.</summary>
    public const string KubeVirtLabel = "kubevirt.io";
    public const string VirtLauncherValue = "virt-launcher";
}
