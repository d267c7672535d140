using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Ipam;

/// <summary>The annotations of a virt-launcher pod that the persistent-IP webhook reads and writes.</summary>
public static class LauncherPod
{
    /// <summary>Set by KubeVirt on launcher pods: the name of the VMI the pod runs.</summary>
    public const string DomainAnnotation = "kubevirt.io/domain";

    /// <summary>Multus' default (cluster) network of the pod; for a primary user-defined network it carries MAC and claim.</summary>
    public const string DefaultNetworkAnnotation = "v1.multus-cni.io/default-network";

    /// <summary>The claim of the primary user-defined network, as OVN-Kubernetes read it before the default-network form.</summary>
    public const string PrimaryUdnClaimAnnotation = "k8s.ovn.org/primary-udn-ipamclaim";

    public const string NotAVm = "not a VM";
    public const string NoMutationRequired = "no mutation required";
    public const string CarryOn = "carry on";

    /// <summary>What ipam-extensions answers when a pod is created with the default-network annotation already set.</summary>
    public static readonly string DefaultNetworkNotAllowed =
        $"multus default network annotation \"{DefaultNetworkAnnotation}\" is not allowed on pod creation";

    /// <summary>
    /// The first step: is this a launcher pod of a VMI, and which networks does it ask for (JSON list or comma form, bare
    /// names in the pod's namespace)? Never throws.
    /// </summary>
    public static LauncherPodRead Read(IReadOnlyDictionary<string, string>? annotations, string podNamespace)
    {
        if (annotations is null || !annotations.TryGetValue(DomainAnnotation, out var vmi) || string.IsNullOrEmpty(vmi))
        {
            return new LauncherPodRead(null, [], false, null);
        }

        var value = annotations.GetValueOrDefault(WellKnown.NetworksAnnotation);
        var parsed = NetworkSelectionAnnotation.Parse(value, podNamespace);
        if (parsed.Form == NetworkAnnotationForm.CommaForm)
        {
            parsed = NetworkSelectionAnnotation.ParseCommaForm(value!, podNamespace);
            if (parsed.Form != NetworkAnnotationForm.Invalid)
            {
                return new LauncherPodRead(vmi, parsed.Elements, true, null);
            }
        }

        return parsed.Form == NetworkAnnotationForm.Invalid
            ? new LauncherPodRead(vmi, [], false, "failed to parse pod network selection elements: " + parsed.Error)
            : new LauncherPodRead(vmi, parsed.Elements, false, null);
    }
}

/// <summary>
/// A launcher pod as read: <see cref="VmiName"/> null means it is not a VM's pod; <see cref="Error"/> means its networks
/// annotation is malformed.
/// </summary>
public sealed record LauncherPodRead(string? VmiName, IReadOnlyList<NetworkSelectionElement> Elements, bool CommaForm, string? Error);
