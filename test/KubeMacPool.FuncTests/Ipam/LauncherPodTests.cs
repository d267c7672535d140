using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Ipam;

/// <summary>
/// virt-launcher pods created through the real API server and admitted by the manager's launcher-pod webhook: they get
/// <c>ipam-claim-reference</c> and the pool MAC on persistent networks, the default-network element on a persistent
/// primary network, a refusal when they bring that annotation themselves, and a short wait for a VMI not yet visible.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class LauncherPodTests(ClusterFixture cluster, IpamServiceFixture fixture)
    : IClassFixture<IpamServiceFixture>, IAsyncLifetime
{
    private const string Networks = "k8s.v1.cni.cncf.io/networks";
    private const string DefaultNetwork = "v1.multus-cni.io/default-network";

    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    private async Task<string> NamespaceAsync()
    {
        _ = fixture.Service;
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "blue", IpamObjects.OvnConfig("tenantblue", persistent: true));
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "plain", IpamObjects.OvnConfig("tenantplain", persistent: false));
        await _k.WaitForDefaultServiceAccountAsync(ns);
        return ns;
    }

    private static JsonArray Elements(k8s.Models.V1Pod pod) => JsonNode.Parse(pod.Metadata.Annotations[Networks])!.AsArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_launcher_pod_gets_the_claim_reference_and_the_pool_mac_on_its_persistent_network(bool commaForm)
    {
        var ns = await NamespaceAsync();
        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm1", ("blue", null), ("plain", null)));
        var vmi = await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));
        var networks = commaForm
            ? "blue@pod16367aacb67,plain@pod6446d58d6df"
            : $$"""[{"name":"blue","namespace":"{{ns}}","interface":"pod16367aacb67"},{"name":"plain","namespace":"{{ns}}","interface":"pod6446d58d6df"}]""";

        var pod = await _k.CreatePodAsync(ns, IpamObjects.Launcher("vm1", IpamObjects.Uid(vmi), networks));

        var elements = Elements(pod);
        Assert.Equal(2, elements.Count);
        var blue = elements[0]!;
        Assert.Equal("blue", blue["name"]!.GetValue<string>());
        Assert.Equal(ns, blue["namespace"]!.GetValue<string>());
        Assert.Equal("pod16367aacb67", blue["interface"]!.GetValue<string>());
        Assert.Equal("vm1.blue", blue["ipam-claim-reference"]!.GetValue<string>());
        Assert.Equal(Vms.Macs(vm)[0], blue["mac"]!.GetValue<string>());
        var plain = elements[1]!;
        Assert.Equal("pod6446d58d6df", plain["interface"]!.GetValue<string>());
        Assert.Null(plain["ipam-claim-reference"]);

        // A migration target (a second launcher pod of the same VMI) points at the same claim, with the same MAC.
        var target = await _k.CreatePodAsync(ns, IpamObjects.Launcher("vm1", IpamObjects.Uid(vmi), networks));
        Assert.Equal("vm1.blue", Elements(target)[0]!["ipam-claim-reference"]!.GetValue<string>());
        Assert.Equal(Vms.Macs(vm)[0], Elements(target)[0]!["mac"]!.GetValue<string>());

        // The claim the pod points at is the one the controller made, carrying the same MAC.
        var claim = await _k.ClaimAsync(ns, "vm1.blue");
        Assert.Equal(Vms.Macs(vm)[0], claim["metadata"]!["annotations"]![IpamObjects.MacAnnotation]!.GetValue<string>());
    }

    [Fact]
    public async Task On_a_persistent_primary_network_the_default_network_carries_the_pool_mac_claim_and_requested_ip()
    {
        var ns = await NamespaceAsync();
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "primary", IpamObjects.OvnConfig("tenantprimary", persistent: true, role: "primary"));
        var vm = Vms.Bridged("vm1", ("blue", null));
        var template = vm["spec"]!["template"]!;
        template["spec"]!["domain"]!["devices"]!["interfaces"]!.AsArray().Insert(0, new JsonObject { ["name"] = "default", ["masquerade"] = new JsonObject() });
        template["spec"]!["networks"]!.AsArray().Insert(0, new JsonObject { ["name"] = "default", ["pod"] = new JsonObject() });
        vm = await _k.CreateVirtualMachineAsync(ns, vm);
        var vmiBody = IpamObjects.VmiOf(vm);
        vmiBody["metadata"]!["annotations"] = new JsonObject { ["network.kubevirt.io/addresses"] = """{"default":["10.100.200.7"]}""" };
        var vmi = await _k.CreateVirtualMachineInstanceAsync(ns, vmiBody);

        var pod = await _k.CreatePodAsync(ns, IpamObjects.Launcher("vm1", IpamObjects.Uid(vmi), null));

        var element = Assert.Single(JsonNode.Parse(pod.Metadata.Annotations[DefaultNetwork])!.AsArray())!;
        Assert.Equal("default", element["name"]!.GetValue<string>());
        Assert.Equal("ovn-kubernetes", element["namespace"]!.GetValue<string>());
        Assert.Equal(Vms.Macs(vm)[0], element["mac"]!.GetValue<string>());
        Assert.Equal("vm1.default", element["ipam-claim-reference"]!.GetValue<string>());
        Assert.Equal("10.100.200.7/24", Assert.Single(element["ips"]!.AsArray())!.GetValue<string>());
        Assert.Equal("vm1.default", pod.Metadata.Annotations["k8s.ovn.org/primary-udn-ipamclaim"]);
        var claim = await _k.ClaimAsync(ns, "vm1.default");
        Assert.Equal("tenantprimary", claim["spec"]!["network"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_a_launcher_pod_that_brings_the_default_network_annotation_is_refused()
    {
        var ns = await NamespaceAsync();
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "primary", IpamObjects.OvnConfig("tenantprimary", persistent: true, role: "primary"));
        var vm = Vms.Bridged("vm1");
        vm["spec"]!["template"]!["spec"]!["domain"]!["devices"]!["interfaces"]!.AsArray().Add(new JsonObject { ["name"] = "default", ["masquerade"] = new JsonObject() });
        vm["spec"]!["template"]!["spec"]!["networks"]!.AsArray().Add(new JsonObject { ["name"] = "default", ["pod"] = new JsonObject() });
        vm = await _k.CreateVirtualMachineAsync(ns, vm);
        var vmi = await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => _k.CreatePodAsync(ns,
            IpamObjects.Launcher("vm1", IpamObjects.Uid(vmi), null, new Dictionary<string, string> { [DefaultNetwork] = "[]" })));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("multus default network annotation \"v1.multus-cni.io/default-network\" is not allowed on pod creation", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vmi_that_appears_a_moment_after_its_pod_is_waited_for_and_a_missing_one_refused()
    {
        var ns = await NamespaceAsync();
        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm1", ("blue", null)));
        var networks = $$"""[{"name":"blue","namespace":"{{ns}}"}]""";

        var creating = _k.CreatePodAsync(ns, IpamObjects.Launcher("vm1", null, networks));
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        await _k.CreateVirtualMachineInstanceAsync(ns, IpamObjects.VmiOf(vm));
        var pod = await creating;
        Assert.Equal("vm1.blue", Elements(pod)[0]!["ipam-claim-reference"]!.GetValue<string>());

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => _k.CreatePodAsync(ns, IpamObjects.Launcher("nosuchvmi", null, networks)));
        Assert.Contains("failed to access the VMI running in pod", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pods_that_are_not_launchers_or_not_of_a_vm_are_left_alone()
    {
        var ns = await NamespaceAsync();
        var networks = $$"""[{"name":"plain","namespace":"{{ns}}"}]""";
        var unlabelled = await _k.CreatePodAsync(ns, "p1", new Dictionary<string, string> { ["kubevirt.io/domain"] = "nosuchvmi" });
        Assert.DoesNotContain(DefaultNetwork, unlabelled.Metadata.Annotations.Keys);
        var notAVm = await _k.CreatePodAsync(ns, "p2", new Dictionary<string, string> { [Networks] = networks }, new Dictionary<string, string> { ["kubevirt.io"] = "virt-launcher" });
        Assert.DoesNotContain("ipam-claim-reference", notAVm.Metadata.Annotations[Networks], StringComparison.Ordinal);
    }
}
