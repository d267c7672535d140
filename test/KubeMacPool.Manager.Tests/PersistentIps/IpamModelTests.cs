using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Pool.Webhooks;
using KubeMacPool.Manager.Tests.Kubernetes.Informers;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMacPool.Manager.Tests.PersistentIps;

public class IpamModelTests
{
    [Fact]
    public void An_ipamclaim_always_carries_spec_interface_even_empty()
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(new IpamClaim
        {
            Metadata = new V1ObjectMeta { Name = "vm1.blue", NamespaceProperty = "ns" },
            Spec = new IpamClaimSpec { Network = "tenantblue" },
        }))!;

        Assert.Equal("k8s.cni.cncf.io/v1alpha1", json["apiVersion"]!.GetValue<string>());
        Assert.Equal("IPAMClaim", json["kind"]!.GetValue<string>());
        Assert.Equal("""{"network":"tenantblue","interface":""}""", json["spec"]!.ToJsonString());
        Assert.Null(json["status"]);
    }

    [Fact]
    public void An_ipamclaim_status_of_either_owner_pod_shape_is_read()
    {
        var claim = KubernetesJson.Deserialize<IpamClaim>(
            """{"metadata":{"name":"c"},"spec":{"network":"n","interface":""},"status":{"ips":["10.0.0.5/24"],"ownerPod":{"name":"virt-launcher-x"}}}""");
        Assert.Equal("virt-launcher-x", claim.Status!["ownerPod"]!["name"]!.GetValue<string>());
        var old = KubernetesJson.Deserialize<IpamClaim>("""{"metadata":{"name":"c"},"spec":{"network":"n","interface":""},"status":{"ips":[],"ownerPod":"p"}}""");
        Assert.Equal("p", old.Status!["ownerPod"]!.GetValue<string>());
    }

    [Fact]
    public void A_nad_config_is_read_as_the_string_it_is()
    {
        var nad = KubernetesJson.Deserialize<NetworkAttachmentDefinition>(
            """{"apiVersion":"k8s.cni.cncf.io/v1","kind":"NetworkAttachmentDefinition","metadata":{"name":"blue","namespace":"ns"},"spec":{"config":"{\"name\":\"tenantblue\",\"allowPersistentIPs\":true}"}}""");
        Assert.Equal("""{"name":"tenantblue","allowPersistentIPs":true}""", nad.Spec!.Config);
    }

    [Fact]
    public async Task Claimed_macs_are_found_by_vm_uid_and_interface_and_deleting_or_foreign_claims_are_ignored()
    {
        static IpamClaim Claim(string name, string? mac, string ownerUid, bool deleting = false) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "ns",
                Annotations = mac is null ? null : new Dictionary<string, string> { [IpamClaim.MacAnnotation] = mac },
                OwnerReferences = [new V1OwnerReference { Uid = ownerUid, Kind = "VirtualMachine", Name = "vm1", ApiVersion = "kubevirt.io/v1" }],
                DeletionTimestamp = deleting ? DateTime.UtcNow : null,
            },
        };

        using var informer = new Informer<IpamClaim>(new FakeResourceClient<IpamClaim>("ipamclaims"), null, requiresKubeVirt: false, NullLoggerFactory.Instance, TimeProvider.System);
        await ((IResourceEventHandler<IpamClaim>)informer).OnListedAsync(
            [Claim("vm1.blue", "02:00:00:00:00:01", "uid-1"), Claim("vm1.red", "02:00:00:00:00:02", "uid-1", deleting: true), Claim("vm1.green", null, "uid-1")],
            TestContext.Current.CancellationToken);
        var macs = new ClaimedMacs(informer);

        Assert.Equal("02:00:00:00:00:01", macs.Find("ns", "vm1", "uid-1", "blue"));
        Assert.Null(macs.Find("ns", "vm1", "uid-2", "blue"));
        Assert.Null(macs.Find("other", "vm1", "uid-1", "blue"));
        Assert.Null(macs.Find("ns", "vm1", "uid-1", "red"));
        Assert.Null(macs.Find("ns", "vm1", "uid-1", "green"));
        Assert.Null(macs.Find("ns", "vm1", null, "blue"));

        // Read from the cache: a claim that goes is gone for the webhook at once.
        await ((IResourceEventHandler<IpamClaim>)informer).OnEventAsync(
            WatchEventType.Deleted, Claim("vm1.blue", "02:00:00:00:00:01", "uid-1"), TestContext.Current.CancellationToken);
        Assert.Null(macs.Find("ns", "vm1", "uid-1", "blue"));
    }
}
