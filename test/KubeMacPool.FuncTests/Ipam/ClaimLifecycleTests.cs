using System.Text.Json.Nodes;
using k8s;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Ipam;

/// <summary>
/// IPAMClaims against the real API server, garbage collector and manager: one claim per persistent network, owned by
/// the VM, kept while the VM exists (VMI deleted and re-created), released on background and foreground VM deletion,
/// owned by a standalone VMI and released with it, and a claim of another owner never adopted.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class ClaimLifecycleTests(ClusterFixture cluster, IpamServiceFixture fixture)
    : IClassFixture<IpamServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    /// <summary>A namespace with NAD "blue" (persistent, CNI network "tenantblue") and NAD "plain" (not persistent), and VM "vm1" on both.</summary>
    private async Task<(string Ns, JsonObject Vm)> VmOnTwoNetworksAsync()
    {
        _ = fixture.Service;
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "blue", IpamObjects.OvnConfig("tenantblue", persistent: true));
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "plain", IpamObjects.OvnConfig("tenantplain", persistent: false));
        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm1", ("blue", null), ("plain", null)));
        return (ns, vm);
    }

    [Fact]
    public async Task A_vm_with_a_persistent_and_a_plain_network_gets_one_claim_owned_by_the_vm_with_its_pool_mac()
    {
        var (ns, vm) = await VmOnTwoNetworksAsync();
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));

        var claim = await _k.ClaimAsync(ns, "vm1.blue");
        Assert.Equal("tenantblue", claim["spec"]!["network"]!.GetValue<string>());
        Assert.Equal("", claim["spec"]!["interface"]!.GetValue<string>());
        Assert.Equal("vm1", claim["metadata"]!["labels"]!["kubevirt.io/vm"]!.GetValue<string>());
        Assert.Equal([IpamObjects.Finalizer], IpamObjects.Finalizers(claim));
        var owner = Assert.Single(claim["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal("VirtualMachine", owner["kind"]!.GetValue<string>());
        Assert.Equal(IpamObjects.Uid(vm), owner["uid"]!.GetValue<string>());
        Assert.True(owner["controller"]!.GetValue<bool>());
        Assert.True(owner["blockOwnerDeletion"]!.GetValue<bool>());
        var poolMac = Vms.Macs(vm)[0];
        Assert.StartsWith("02:00:00:", poolMac, StringComparison.Ordinal);
        Assert.Equal(poolMac, claim["metadata"]!["annotations"]![IpamObjects.MacAnnotation]!.GetValue<string>());

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(await _k.ListCustomObjectsAsync(CustomResources.IpamClaims, ns));
    }

    [Fact]
    public async Task A_vmi_deleted_and_created_again_keeps_the_same_claim_and_makes_no_duplicate()
    {
        var (ns, vm) = await VmOnTwoNetworksAsync();
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));
        var before = await _k.ClaimAsync(ns, "vm1.blue");

        // Stop: the VMI goes, the VM stays; the claim (and its IPs) must stay, finalizer included.
        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, "vm1");
        await Eventually.TrueAsync(async () => await _k.TryGetCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, "vm1") is null, "the VMI is gone");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var stopped = await _k.GetCustomObjectAsync(CustomResources.IpamClaims, ns, "vm1.blue");
        Assert.Equal(IpamObjects.Uid(before), IpamObjects.Uid(stopped));
        Assert.Equal([IpamObjects.Finalizer], IpamObjects.Finalizers(stopped));
        Assert.Null(stopped["metadata"]!["deletionTimestamp"]);

        // Start (or a migration target's new VMI): the same claim is used.
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var claims = await _k.ListCustomObjectsAsync(CustomResources.IpamClaims, ns);
        Assert.Equal(IpamObjects.Uid(before), IpamObjects.Uid(Assert.Single(claims)));
    }

    [Theory]
    [InlineData("Background")]
    [InlineData("Foreground")]
    public async Task Deleting_the_vm_releases_its_claim_to_the_garbage_collector(string propagation)
    {
        var (ns, vm) = await VmOnTwoNetworksAsync();
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));
        await _k.ClaimAsync(ns, "vm1.blue");

        await _k.DeleteAsync(CustomResources.VirtualMachines, ns, "vm1", propagation);

        await _k.ClaimGoneAsync(ns, "vm1.blue");
        await Eventually.TrueAsync(async () => await _k.TryGetCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm1") is null, "the VM is gone");
        await Eventually.TrueAsync(async () => await _k.TryGetCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, "vm1") is null, "the VMI is gone");
    }

    [Fact]
    public async Task Under_foreground_deletion_the_claim_waits_for_the_vmi()
    {
        var (ns, vm) = await VmOnTwoNetworksAsync();
        var vmi = IpamObjects.VmiOf(vm);
        vmi["metadata"]!["finalizers"] = new JsonArray("functest/hold");
        await _k.CreateVirtualMachineInstanceAsync(ns, vmi);
        await _k.ClaimAsync(ns, "vm1.blue");

        await _k.DeleteAsync(CustomResources.VirtualMachines, ns, "vm1", "Foreground");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var held = await _k.GetCustomObjectAsync(CustomResources.IpamClaims, ns, "vm1.blue");
        Assert.Equal([IpamObjects.Finalizer], IpamObjects.Finalizers(held));

        await _k.PatchCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, "vm1",
            TestCluster.MergePatch(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } }));
        await _k.ClaimGoneAsync(ns, "vm1.blue");
        await Eventually.TrueAsync(async () => await _k.TryGetCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm1") is null, "the VM is gone");
    }

    [Fact]
    public async Task A_standalone_vmi_owns_its_claim_which_goes_with_it()
    {
        _ = fixture.Service;
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "blue", IpamObjects.OvnConfig("tenantblue", persistent: true));
        var template = Vms.Bridged("lone", ("blue", "02:00:00:0a:0b:0c"));
        var vmi = await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(template, ownedByVm: false));

        var claim = await _k.ClaimAsync(ns, "lone.blue");
        var owner = Assert.Single(claim["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal("VirtualMachineInstance", owner["kind"]!.GetValue<string>());
        Assert.Equal(IpamObjects.Uid(vmi), owner["uid"]!.GetValue<string>());
        Assert.Equal("02:00:00:0a:0b:0c", claim["metadata"]!["annotations"]![IpamObjects.MacAnnotation]!.GetValue<string>());

        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, "lone");
        await _k.ClaimGoneAsync(ns, "lone.blue");
    }

    [Fact]
    public async Task A_standalone_vmi_being_deleted_keeps_its_claim_while_it_has_active_pods()
    {
        _ = fixture.Service;
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "blue", IpamObjects.OvnConfig("tenantblue", persistent: true));
        var vmi = IpamObjects.VmiOf(Vms.Bridged("lone", ("blue", "02:00:00:0a:0b:0d")), ownedByVm: false);
        vmi["metadata"]!["finalizers"] = new JsonArray("functest/hold");
        await _k.CreateVirtualMachineInstanceAsync(ns, vmi);
        await _k.PatchCustomObjectStatusAsync(CustomResources.VirtualMachineInstances, ns, "lone", TestCluster.MergePatch(
            new JsonObject { ["status"] = new JsonObject { ["phase"] = "Running", ["activePods"] = new JsonObject { ["0c5b7f3e-pod"] = "node1" } } }));
        await _k.ClaimAsync(ns, "lone.blue");

        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, "lone");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal([IpamObjects.Finalizer], IpamObjects.Finalizers(await _k.GetCustomObjectAsync(CustomResources.IpamClaims, ns, "lone.blue")));

        // The last pod is gone: the finalizer goes; the claim itself goes with its owner.
        await _k.PatchCustomObjectStatusAsync(CustomResources.VirtualMachineInstances, ns, "lone", TestCluster.MergePatch(
            new JsonObject { ["status"] = new JsonObject { ["activePods"] = null } }));
        await Eventually.TrueAsync(
            async () => IpamObjects.Finalizers(await _k.GetCustomObjectAsync(CustomResources.IpamClaims, ns, "lone.blue")).Count == 0,
            "the claim's finalizer is removed");
        await _k.PatchCustomObjectAsync(CustomResources.VirtualMachineInstances, ns, "lone",
            TestCluster.MergePatch(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } }));
        await _k.ClaimGoneAsync(ns, "lone.blue");
    }

    [Fact]
    public async Task A_leaked_claim_of_another_owner_is_not_adopted_and_an_event_says_so()
    {
        _ = fixture.Service;
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "blue", IpamObjects.OvnConfig("tenantblue", persistent: true));
        var other = await _k.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "previous-owner" } }, ns, cancellationToken: _k.CancellationToken);
        await _k.CreateCustomObjectAsync(CustomResources.IpamClaims, ns, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "vm1.blue",
                ["labels"] = new JsonObject { ["kubevirt.io/vm"] = "someone-else" },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["name"] = "previous-owner",
                    ["uid"] = other.Metadata.Uid,
                }),
            },
            ["spec"] = new JsonObject { ["network"] = "tenantblue", ["interface"] = "" },
        });

        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm1", ("blue", null)));
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));

        var conflict = await _k.WaitForEventAsync(ns, "vm1", "IPAMClaimConflict", "VirtualMachineInstance");
        Assert.Equal("Warning", conflict.Type);
        Assert.Contains("failed since it found an existing IPAMClaim for \"vm1.blue\"", conflict.Message, StringComparison.Ordinal);
        var claim = await _k.GetCustomObjectAsync(CustomResources.IpamClaims, ns, "vm1.blue");
        Assert.Equal(other.Metadata.Uid, Assert.Single(claim["metadata"]!["ownerReferences"]!.AsArray())!["uid"]!.GetValue<string>());
        Assert.Empty(IpamObjects.Finalizers(claim));
        Assert.Null(claim["metadata"]!["annotations"]?[IpamObjects.MacAnnotation]);
    }

    [Fact]
    public async Task A_nad_with_invalid_json_is_an_event_on_the_vmi_and_fixing_it_makes_the_claim()
    {
        _ = fixture.Service;
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "blue", "{\"name\":\"tenantblue\",\"allowPersistentIPs\":");
        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm1", ("blue", null)));
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));

        var invalid = await _k.WaitForEventAsync(ns, "vm1", "InvalidNetworkAttachmentDefinition", "VirtualMachineInstance");
        Assert.Contains($"NetworkAttachmentDefinition {ns}/blue): failed to extract the relevant NAD information: failed to extract CNI configuration", invalid.Message, StringComparison.Ordinal);
        Assert.Empty(await _k.ListCustomObjectsAsync(CustomResources.IpamClaims, ns));
        var onNad = await _k.WaitForEventAsync(ns, "blue", "InvalidNetworkAttachmentDefinition", "NetworkAttachmentDefinition");
        Assert.StartsWith("failed to extract the relevant NAD information", onNad.Message, StringComparison.Ordinal);

        await _k.PatchCustomObjectAsync(CustomResources.NetworkAttachmentDefinitions, ns, "blue", TestCluster.MergePatch(
            new JsonObject { ["spec"] = new JsonObject { ["config"] = IpamObjects.OvnConfig("tenantblue", persistent: true) } }));
        await _k.ClaimAsync(ns, "vm1.blue");
    }

    [Fact]
    public async Task A_claimed_interface_keeps_its_mac()
    {
        var (ns, vm) = await VmOnTwoNetworksAsync();
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));
        await _k.ClaimAsync(ns, "vm1.blue");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var patch = new JsonArray(new JsonObject
        {
            ["op"] = "replace",
            ["path"] = "/spec/template/spec/domain/devices/interfaces/0/macAddress",
            ["value"] = "02:00:00:fe:fe:fe",
        });
        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm1", TestCluster.JsonPatch(patch)));
        Assert.Contains("cannot change while its IPAMClaim", refused.Message, StringComparison.Ordinal);

        // Removed and added again (the claim stays meanwhile, as upstream's): the interface gets the claimed MAC back.
        var claimedMac = Vms.Macs(vm)[0];
        var template = (await _k.GetVirtualMachineAsync(ns, "vm1"))["spec"]!["template"]!["spec"]!;
        var removed = new JsonArray(
            new JsonObject { ["op"] = "remove", ["path"] = "/spec/template/spec/domain/devices/interfaces/0" },
            new JsonObject { ["op"] = "remove", ["path"] = "/spec/template/spec/networks/0" });
        await _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm1", TestCluster.JsonPatch(removed));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var readded = new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/spec/template/spec/domain/devices/interfaces/0", ["value"] = new JsonObject { ["name"] = "blue", ["bridge"] = new JsonObject() } },
            new JsonObject { ["op"] = "add", ["path"] = "/spec/template/spec/networks/0", ["value"] = template["networks"]![0]!.DeepClone() });
        var back = await _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm1", TestCluster.JsonPatch(readded));
        Assert.Equal(claimedMac, Vms.Macs(back)[0]);

        // The plain (unclaimed) interface may still change.
        patch[0]!["path"] = "/spec/template/spec/domain/devices/interfaces/1/macAddress";
        await _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm1", TestCluster.JsonPatch(patch));
    }
}
