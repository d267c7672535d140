using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Ipam;

/// <summary>NADs, VMIs as KubeVirt makes them, launcher pods and claims, as the persistent-IP tests use them.</summary>
public static class IpamObjects
{
    public const string Finalizer = "kubevirt.io/persistent-ipam";
    public const string MacAnnotation = "kubemacpool.io/mac-address";

    /// <summary>An OVN-Kubernetes-like layer2 NAD; <paramref name="persistent"/> sets allowPersistentIPs.</summary>
    public static string OvnConfig(string networkName, bool persistent, string? role = null) =>
        new JsonObject
        {
            ["cniVersion"] = "0.3.1",
            ["name"] = networkName,
            ["type"] = "ovn-k8s-cni-overlay",
            ["topology"] = "layer2",
            ["subnets"] = "10.100.200.0/24,fd10:100:200::/64",
            ["allowPersistentIPs"] = persistent,
            ["role"] = role,
        }.ToJsonString();

    /// <summary>The VMI KubeVirt would start for <paramref name="vm"/>: its template spec, owned by it (or standalone).</summary>
    public static JsonObject VmiOf(JsonObject vm, bool ownedByVm = true)
    {
        var metadata = new JsonObject { ["name"] = vm["metadata"]!["name"]!.GetValue<string>() };
        if (ownedByVm)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "kubevirt.io/v1",
                ["kind"] = "VirtualMachine",
                ["name"] = vm["metadata"]!["name"]!.GetValue<string>(),
                ["uid"] = vm["metadata"]!["uid"]!.GetValue<string>(),
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            });
        }

        return new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1",
            ["kind"] = "VirtualMachineInstance",
            ["metadata"] = metadata,
            ["spec"] = vm["spec"]!["template"]!["spec"]!.DeepClone(),
        };
    }

    /// <summary>A virt-launcher pod of VMI <paramref name="vmi"/> with the given networks annotation.</summary>
    public static V1Pod Launcher(string vmi, string? vmiUid, string? networks, IReadOnlyDictionary<string, string>? more = null)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["kubevirt.io/domain"] = vmi };
        if (networks is not null)
        {
            annotations["k8s.v1.cni.cncf.io/networks"] = networks;
        }

        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            annotations[key] = value;
        }

        var pod = TestCluster.NewPod("virt-launcher-" + vmi + "-" + TestCluster.UniqueName("x")[2..], annotations, new Dictionary<string, string> { ["kubevirt.io"] = "virt-launcher" });
        if (vmiUid is not null)
        {
            pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "kubevirt.io/v1", Kind = "VirtualMachineInstance", Name = vmi, Uid = vmiUid, Controller = true }];
        }

        return pod;
    }

    public static Task<JsonObject> ClaimAsync(this TestCluster k, string ns, string name) =>
        Eventually.ValueAsync(
            () => k.TryGetCustomObjectAsync(CustomResources.IpamClaims, ns, name),
            c => c is not null,
            $"IPAMClaim {ns}/{name} exists",
            describe: c => c?.ToJsonString() ?? "(absent)")!;

    public static Task ClaimGoneAsync(this TestCluster k, string ns, string name) =>
        Eventually.TrueAsync(
            async () => await k.TryGetCustomObjectAsync(CustomResources.IpamClaims, ns, name) is null,
            $"IPAMClaim {ns}/{name} is garbage-collected");

    public static Task DeleteAsync(this TestCluster k, CustomResource resource, string ns, string name, string propagation) =>
        k.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            resource.Group, resource.Version, ns, resource.Plural, name,
            new V1DeleteOptions { PropagationPolicy = propagation }, cancellationToken: k.CancellationToken);

    public static string Uid(JsonObject obj) => obj["metadata"]!["uid"]!.GetValue<string>();

    public static IReadOnlyList<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"]?.AsArray().Select(f => f!.GetValue<string>()).ToList() ?? [];
}
