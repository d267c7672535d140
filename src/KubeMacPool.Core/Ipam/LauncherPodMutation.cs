using System.Text.Encodings.Web;
using System.Text.Json;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Ipam;

/// <summary>What the VMI behind a launcher pod says about its networks.</summary>
/// <param name="Name">The VMI's name.</param>
/// <param name="Namespace">The VMI's namespace (bare NAD names resolve there).</param>
/// <param name="Interfaces">Its interfaces and networks.</param>
/// <param name="AddressesAnnotation">Its <c>network.kubevirt.io/addresses</c> annotation, if any.</param>
public sealed record LauncherVmi(string Name, string Namespace, VirtualMachineInterfaces Interfaces, string? AddressesAnnotation);

/// <summary>The webhook's decision: allow with annotations to set (possibly none), or deny with a code.</summary>
public sealed record LauncherPodDecision(bool Allowed, int Code, string? Message, IReadOnlyDictionary<string, string> Annotations)
{
    public static LauncherPodDecision Allow(string message) => new(true, 200, message, new Dictionary<string, string>());

    public static LauncherPodDecision Deny(int code, string message) => new(false, code, message, new Dictionary<string, string>());
}

/// <summary>
/// How a launcher pod joins its persistent networks (the ipam-extensions semantics): every selection element on a NAD
/// with <c>allowPersistentIPs</c> that is one of the VMI's secondary networks gets <c>ipam-claim-reference</c> (and the
/// interface's pool MAC when it has no <c>mac</c>); on a persistent primary user-defined network the pod gets Multus'
/// default-network element with the pool MAC, the claim and any requested IPs. Pure: the caller looks everything up.
/// </summary>
public static class LauncherPodMutation
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Before the VMI is fetched: a pod that is not a VM's is allowed, a malformed networks annotation is a 400, and a pod
    /// without selection elements in a namespace without a primary network needs nothing. Null: look the VMI up.
    /// </summary>
    public static LauncherPodDecision? Precheck(LauncherPodRead pod, NadNetworkConfig? primary)
    {
        if (pod.VmiName is null)
        {
            return LauncherPodDecision.Allow(LauncherPod.NotAVm);
        }

        if (pod.Error is { } error)
        {
            return LauncherPodDecision.Deny(400, error);
        }

        return pod.Elements.Count == 0 && primary is null ? LauncherPodDecision.Allow(LauncherPod.NoMutationRequired) : null;
    }

    /// <summary>The answer when the VMI is still not visible after the retries (500, so KubeVirt creates the pod again).</summary>
    public static LauncherPodDecision VmiNotFound(string podNamespace, string? podName, string detail) =>
        LauncherPodDecision.Deny(500, $"failed to access the VMI running in pod \"{podNamespace}/{podName}\": {detail}");

    /// <param name="pod">The pod as read by <see cref="LauncherPod.Read"/> (a VM's pod, no parse error).</param>
    /// <param name="annotations">The pod's current annotations.</param>
    /// <param name="isCreate">CREATE (else UPDATE).</param>
    /// <param name="vmi">The VMI the pod runs.</param>
    /// <param name="lookup">A NAD by reference.</param>
    /// <param name="primary">The namespace's primary user-defined network, if any.</param>
    /// <param name="defaultNetworkNamespace">Where Multus finds the cluster default network's NAD (<c>--default-network-nad-namespace</c>).</param>
    public static LauncherPodDecision Decide(
        LauncherPodRead pod,
        IReadOnlyDictionary<string, string> annotations,
        bool isCreate,
        LauncherVmi vmi,
        Func<NadReference, NadLookup> lookup,
        NadNetworkConfig? primary,
        string defaultNetworkNamespace)
    {
        if (vmi.Interfaces.Error is { } malformed)
        {
            return LauncherPodDecision.Deny(500, $"failed to read VMI {vmi.Namespace}/{vmi.Name}: {malformed}");
        }

        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Secondary(pod, vmi, lookup) is { } secondary)
        {
            if (secondary.Error is { } error)
            {
                return LauncherPodDecision.Deny(500, error);
            }

            Set(changes, annotations, WellKnown.NetworksAnnotation, secondary.Value!);
        }

        var podNetwork = vmi.Interfaces.Networks.FirstOrDefault(n => n.Source == NetworkSource.Pod);
        if (primary is { AllowPersistentIps: true } && podNetwork is not null)
        {
            if (isCreate && annotations.ContainsKey(LauncherPod.DefaultNetworkAnnotation))
            {
                return LauncherPodDecision.Deny(403, LauncherPod.DefaultNetworkNotAllowed);
            }

            var claim = IpamClaimName.Compose(vmi.Name, podNetwork.Name);
            var ips = IpRequests.For(vmi.AddressesAnnotation, podNetwork.Name, primary.SubnetList);
            if (ips.Error is { } ipError)
            {
                return LauncherPodDecision.Deny(500, ipError);
            }

            var mac = ClaimPlan.Canonical(vmi.Interfaces.Interfaces.LastOrDefault(i => i.Name == podNetwork.Name)?.MacAddress);
            if (ips.Ips.Count > 0 || mac is not null)
            {
                Set(changes, annotations, LauncherPod.DefaultNetworkAnnotation, DefaultNetwork(defaultNetworkNamespace, ips.Ips, mac, claim));
            }

            Set(changes, annotations, LauncherPod.PrimaryUdnClaimAnnotation, claim);
        }

        if (changes.Count == 0)
        {
            return LauncherPodDecision.Allow(LauncherPod.CarryOn);
        }

        return new LauncherPodDecision(true, 200, null, changes);
    }

    /// <summary>The rewritten networks annotation (null: no change), or an error.</summary>
    private static (string? Value, string? Error)? Secondary(LauncherPodRead pod, LauncherVmi vmi, Func<NadReference, NadLookup> lookup)
    {
        var changed = false;
        foreach (var element in pod.Elements)
        {
            var reference = new NadReference(element.Namespace, element.Name);
            var nad = lookup(reference);
            if (!nad.Exists)
            {
                // Multus cannot start the pod either; nothing to add (as upstream, which leaves it to the scheduler).
                return null;
            }

            if (nad.Error is { } error)
            {
                return (null, $"NetworkAttachmentDefinition {reference}: {error}");
            }

            if (!nad.Config!.AllowPersistentIps)
            {
                continue;
            }

            var network = vmi.Interfaces.Networks.FirstOrDefault(n =>
                n is { Source: NetworkSource.Multus, IsDefault: false, MultusNetworkName: { } name }
                && NadReference.Parse(name, vmi.Namespace) == reference);
            if (network is null)
            {
                continue;
            }

            var claim = IpamClaimName.Compose(vmi.Name, network.Name);
            if (element.IpamClaimReference != claim)
            {
                element.IpamClaimReference = claim;
                changed = true;
            }

            if (element.Mac is null && ClaimPlan.Canonical(vmi.Interfaces.Interfaces.LastOrDefault(i => i.Name == network.Name)?.MacAddress) is { } mac)
            {
                element.Mac = mac;
                changed = true;
            }
        }

        return changed ? (NetworkSelectionAnnotation.Serialize(pod.Elements), null) : null;
    }

    private static string DefaultNetwork(string @namespace, IReadOnlyList<string> ips, string? mac, string claim)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("name", "default");
            writer.WriteString("namespace", @namespace);
            if (ips.Count > 0)
            {
                writer.WriteStartArray("ips");
                foreach (var ip in ips)
                {
                    writer.WriteStringValue(ip);
                }

                writer.WriteEndArray();
            }

            if (mac is not null)
            {
                writer.WriteString("mac", mac);
            }

            writer.WriteString("ipam-claim-reference", claim);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Set(Dictionary<string, string> changes, IReadOnlyDictionary<string, string> current, string key, string value)
    {
        if (current.GetValueOrDefault(key) != value)
        {
            changes[key] = value;
        }
    }
}
