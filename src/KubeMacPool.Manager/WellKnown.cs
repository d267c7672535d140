using CoreNames = KubeMacPool.Core.Networks.WellKnown;

namespace KubeMacPool.Manager;

/// <summary>
/// Every name the cluster sees, in one place: objects this service reads or writes by name, webhook names and paths,
/// labels, annotations, finalizers, readiness conditions. The user-facing names defined by Core are repeated here, so
/// the service has one file to look in.
/// </summary>
internal static class WellKnown
{
    // Objects by name.
    public const string MutatingWebhookConfiguration = "kubemacpool-mutator";
    public const string ValidatingWebhookConfiguration = "kubemacpool-validator";
    public const string RangeConfigMap = "kubemacpool-mac-range-config";

    /// <summary>Pool-wide figures for operators and <c>kubectl macpool status</c>, in the service's namespace.</summary>
    public const string PoolStatusConfigMap = Core.Pool.PoolStatus.ConfigMapName;
    public const string CaSecret = "kubemacpool-mutator-ca";
    public const string DhcpAgentPrefix = "kubemacpool-dhcp-agent";
    public const string DhcpAgentServiceAccount = "kubemacpool-dhcp-agent";
    public const string DhcpAgentImage = "quay.io/kubevirt/kubemacpool:latest";

    /// <summary>The coordination.k8s.io/v1 Lease the replicas elect their leader with, in the service's namespace.</summary>
    public const string LeaderLease = "kubemacpool-leader";

    // Webhooks (names are also the namespace opt-in / opt-out label keys) and their paths.
    public const string PodsWebhook = CoreNames.PodsWebhook;
    public const string VirtualMachinesWebhook = CoreNames.VirtualMachinesWebhook;
    public const string OptInValue = CoreNames.OptInValue;
    public const string OptOutValue = CoreNames.OptOutValue;
    public const string RunLevelLabel = CoreNames.RunLevelLabel;
    public const string OpenShiftRunLevelLabel = CoreNames.OpenShiftRunLevelLabel;
    public const string LauncherPodsWebhook = "ipam-claims.kubemacpool.io";
    public const string PodsPath = "/mutate-pods";
    public const string VirtualMachinesPath = "/mutate-virtualmachines";
    public const string LauncherPodsPath = "/mutate-launcher-pods";
    public const string IpPoolsPath = "/validate-ippools";
    public const string PinnedIpsPath = "/validate-virtualmachine-pinned-ips";

    // Annotations, labels, finalizers.
    public const string NetworksAnnotation = CoreNames.NetworksAnnotation;
    public const string NetworkStatusAnnotation = CoreNames.NetworkStatusAnnotation;
    public const string TransactionTimestampAnnotation = CoreNames.TransactionTimestampAnnotation;
    public const string PinnedIpsAnnotation = "kubemacpool.io/pinned-ips";
    public const string LegacyFinalizer = CoreNames.LegacyFinalizer;
    public const string KubeVirtLabel = CoreNames.KubeVirtLabel;
    public const string VirtLauncherValue = CoreNames.VirtLauncherValue;
    public const string AppLabel = "app";
    public const string IpPoolLabel = "kubemacpool.io/ip-pool";
    public const string DhcpAgentLabel = "kubemacpool.io/dhcp-agent";

    /// <summary>On an IPPool: <c>external</c> = the user runs its agent; the manager keeps none for it.</summary>
    public const string DhcpAgentAnnotation = "kubemacpool.io/dhcp-agent";
    public const string DhcpAgentExternalValue = "external";

    /// <summary>On an agent Deployment: the hash of the pod template it was rendered with (a change rolls it).</summary>
    public const string DhcpAgentTemplateAnnotation = "kubemacpool.io/dhcp-agent-template";

    /// <summary>The agent pod's interface on the pool's network (the Multus <c>interface</c>, the agent's <c>--interface</c>).</summary>
    public const string DhcpAgentInterface = "eth1";
    public const int DhcpAgentHealthPort = 8081;

    // On the leader Lease, written at every renew: where the leader serves, where its allocation cursor stands,
    // and whether it handed the Lease over (released) rather than dying.
    public const string LeaderUrlAnnotation = "kubemacpool.io/leader-url";
    public const string AllocationCursorAnnotation = "kubemacpool.io/allocation-cursor";
    public const string ReleasedAnnotation = "kubemacpool.io/released";

    // Readiness conditions (/readyz).
    public const string PoolReadiness = "pool";
    public const string CertificatesReadiness = "certificates";
}
