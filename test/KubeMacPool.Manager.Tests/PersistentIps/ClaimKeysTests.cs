using System.Text.Json.Nodes;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.PersistentIps;

namespace KubeMacPool.Manager.Tests.PersistentIps;

/// <summary>Which VM/VMI keys a change of each watched kind queues for the claim reconciler, and the cache indexes behind them.</summary>
public class ClaimKeysTests
{
    private static readonly string LongName = new('v', 70);

    [Fact]
    public void A_vm_key_is_its_own_index_value_unless_the_name_is_cut()
    {
        var key = "ns/vm1";
        Assert.Same(key, ClaimKeys.ClaimIndexValue(key));
        Assert.Equal(ClaimKeys.ClaimIndexValue("ns", "vm1"), ClaimKeys.ClaimIndexValue(key));
        Assert.Equal(ClaimKeys.ClaimIndexValue("ns", LongName), ClaimKeys.ClaimIndexValue("ns/" + LongName));
        Assert.Equal("ns/" + LongName[..63], ClaimKeys.ClaimIndexValue("ns/" + LongName));
    }

    [Fact]
    public void A_vmi_queues_its_own_key_and_a_vm_its_own_once_it_has_a_vmi_or_claims()
    {
        var (claims, vmis) = (new ObjectCache<IpamClaim>(), new ObjectCache<VirtualMachineInstance>());
        ClaimKeys.AddIndexes(claims, vmis);
        var vm = new VirtualMachine { Metadata = Meta("ns", "vm1") };
        Assert.Equal(["ns/vm1"], ClaimKeys.ForInstance(Vmi("ns", "vm1")));

        // Never ran and claims nothing: no key (a start would queue every such VM for nothing).
        Assert.Empty(ClaimKeys.ForVirtualMachine(vm, claims, vmis));

        vmis.Upsert(Vmi("ns", "vm1"));
        Assert.Equal(["ns/vm1"], ClaimKeys.ForVirtualMachine(vm, claims, vmis));

        vmis.Remove(Vmi("ns", "vm1"));
        claims.Upsert(Claim("ns", "vm1.blue", "vm1", ("VirtualMachine", "vm1")));
        Assert.Equal(["ns/vm1"], ClaimKeys.ForVirtualMachine(vm, claims, vmis));
        Assert.Empty(ClaimKeys.ForVirtualMachine(new VirtualMachine { Metadata = Meta("ns", "vm2") }, claims, vmis));
    }

    [Fact]
    public void A_claim_queues_the_key_of_its_vm_or_vmi_owner_and_of_its_label()
    {
        Assert.Equal(["ns/vm1"], ClaimKeys.ForClaim(Claim("ns", "vm1.blue", "vm1", ("VirtualMachine", "vm1"))));
        Assert.Equal(["ns/lone"], ClaimKeys.ForClaim(Claim("ns", "lone.blue", "lone", ("VirtualMachineInstance", "lone"))));

        // A label value is cut at 63 characters: the owner gives the full name.
        var cut = ClaimKeys.ForClaim(Claim("ns", "c", LongName[..63], ("VirtualMachine", LongName))).Order(StringComparer.Ordinal);
        Assert.Equal(["ns/" + LongName[..63], "ns/" + LongName], cut);

        // Someone else's claim with our label: the labelled VM looks at it (and reports the conflict).
        Assert.Equal(["ns/vm1"], ClaimKeys.ForClaim(Claim("ns", "vm1.blue", "vm1", ("ConfigMap", "previous-owner"))));
        Assert.Empty(ClaimKeys.ForClaim(Claim("ns", "stray", null, ("ConfigMap", "previous-owner"))));
    }

    [Fact]
    public void A_nad_queues_every_vmi_of_its_namespace_and_the_vmis_elsewhere_that_name_it()
    {
        var vmis = new ObjectCache<VirtualMachineInstance>();
        ClaimKeys.AddIndexes(new ObjectCache<IpamClaim>(), vmis);
        vmis.Upsert(Vmi("blue-ns", "local", "blue"));
        vmis.Upsert(Vmi("blue-ns", "unrelated"));
        vmis.Upsert(Vmi("other", "cross", "blue-ns/blue"));
        vmis.Upsert(Vmi("other", "same-name-elsewhere", "blue"));
        vmis.Upsert(Vmi("third", "none"));

        var nad = new NetworkAttachmentDefinition { Metadata = Meta("blue-ns", "blue") };

        Assert.Equal(["blue-ns/local", "blue-ns/unrelated", "other/cross"], ClaimKeys.ForNad(nad, vmis).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_vmi_that_no_longer_names_a_nad_is_no_longer_queued_by_it()
    {
        var vmis = new ObjectCache<VirtualMachineInstance>();
        ClaimKeys.AddIndexes(new ObjectCache<IpamClaim>(), vmis);
        vmis.Upsert(Vmi("other", "cross", "blue-ns/blue"));
        vmis.Upsert(Vmi("other", "cross"));

        Assert.Empty(ClaimKeys.ForNad(new NetworkAttachmentDefinition { Metadata = Meta("blue-ns", "blue") }, vmis));
    }

    [Fact]
    public void Malformed_vmi_networks_index_nothing_and_do_not_throw()
    {
        var vmis = new ObjectCache<VirtualMachineInstance>();
        ClaimKeys.AddIndexes(new ObjectCache<IpamClaim>(), vmis);
        vmis.Upsert(new VirtualMachineInstance { Metadata = Meta("ns", "a"), Spec = new JsonObject { ["networks"] = "nope" } });
        vmis.Upsert(new VirtualMachineInstance
        {
            Metadata = Meta("ns", "b"),
            Spec = new JsonObject { ["networks"] = new JsonArray(1, new JsonObject { ["multus"] = new JsonObject { ["networkName"] = 5 } }) },
        });

        Assert.Empty(vmis.ByIndex(ClaimKeys.VmisByNad, "ns/5"));
    }

    [Fact]
    public void The_claims_of_a_vm_are_found_by_its_label_even_with_a_long_name()
    {
        var claims = new ObjectCache<IpamClaim>();
        ClaimKeys.AddIndexes(claims, new ObjectCache<VirtualMachineInstance>());
        claims.Upsert(Claim("ns", "vm1.blue", "vm1", ("VirtualMachine", "vm1")));
        claims.Upsert(Claim("ns", "vm1.red", "vm1", ("VirtualMachine", "vm1")));
        claims.Upsert(Claim("ns", "vm2.blue", "vm2", ("VirtualMachine", "vm2")));
        claims.Upsert(Claim("other", "vm1.blue", "vm1", ("VirtualMachine", "vm1")));
        claims.Upsert(Claim("ns", "long.blue", LongName[..63], ("VirtualMachine", LongName)));
        claims.Upsert(Claim("ns", "unlabelled", null, ("VirtualMachine", "vm1")));

        Assert.Equal(["vm1.blue", "vm1.red"], Names(claims.ByIndex(ClaimKeys.ClaimsByVmLabel, ClaimKeys.ClaimIndexValue("ns", "vm1"))));
        Assert.Equal(["long.blue"], Names(claims.ByIndex(ClaimKeys.ClaimsByVmLabel, ClaimKeys.ClaimIndexValue("ns", LongName))));
    }

    [Fact]
    public void A_claim_belongs_to_the_vm_or_vmi_it_names_as_owner_or_to_its_label_when_it_names_none()
    {
        Assert.True(ClaimKeys.BelongsTo(Claim("ns", "c", "vm1", ("VirtualMachine", "vm1")), "vm1"));
        Assert.True(ClaimKeys.BelongsTo(Claim("ns", "c", "vm1", ("VirtualMachineInstance", "vm1")), "vm1"));
        Assert.True(ClaimKeys.BelongsTo(Claim("ns", "c", "vm1", ("ConfigMap", "previous-owner")), "vm1"));

        // The cut label's key is not the long-named VM's: its claims are not released there.
        Assert.False(ClaimKeys.BelongsTo(Claim("ns", "c", LongName[..63], ("VirtualMachine", LongName)), LongName[..63]));
    }

    private static string[] Names(IEnumerable<IpamClaim> claims) => [.. claims.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal)];

    private static V1ObjectMeta Meta(string ns, string name) => new() { NamespaceProperty = ns, Name = name };

    private static VirtualMachineInstance Vmi(string ns, string name, params string[] nads)
    {
        var networks = new JsonArray(new JsonObject { ["name"] = "default", ["pod"] = new JsonObject() });
        foreach (var nad in nads)
        {
            networks.Add(new JsonObject { ["name"] = "net-" + networks.Count, ["multus"] = new JsonObject { ["networkName"] = nad } });
        }

        return new VirtualMachineInstance { Metadata = Meta(ns, name), Spec = new JsonObject { ["networks"] = networks } };
    }

    private static IpamClaim Claim(string ns, string name, string? vmLabel, (string Kind, string Name) owner)
    {
        var metadata = Meta(ns, name);
        metadata.Labels = vmLabel is null ? null : new Dictionary<string, string> { [IpamClaim.VmLabel] = vmLabel };
        metadata.OwnerReferences = [new V1OwnerReference { Kind = owner.Kind, Name = owner.Name, Uid = "uid-" + owner.Name, ApiVersion = "v1" }];
        return new IpamClaim { Metadata = metadata };
    }
}
