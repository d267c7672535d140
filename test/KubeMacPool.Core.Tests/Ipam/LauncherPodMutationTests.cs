using KubeMacPool.Core.Ipam;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Ipam;

/// <summary>The cases of ipam-extensions' pod webhook tests, plus the comma form and MAC rules of this service.</summary>
public class LauncherPodMutationTests
{
    private const string FlagNamespace = "ovn-kubernetes";
    private const string Networks = WellKnown.NetworksAnnotation;

    private static NadNetworkConfig PrimaryConfig => NadNetworkConfig.Parse(IpamJson.Primary).Config!;

    private static Dictionary<string, string> LauncherAnnotations(string? networks = null, params (string Key, string Value)[] more)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [LauncherPod.DomainAnnotation] = "vm1" };
        if (networks is not null)
        {
            annotations[Networks] = networks;
        }

        foreach (var (key, value) in more)
        {
            annotations[key] = value;
        }

        return annotations;
    }

    private static LauncherPodDecision Decide(
        Dictionary<string, string> annotations,
        VirtualMachineInterfaces vmi,
        Func<NadReference, NadLookup> nads,
        NadNetworkConfig? primary,
        bool isCreate = true,
        string? addresses = null)
    {
        var read = LauncherPod.Read(annotations, "ns1");
        if (LauncherPodMutation.Precheck(read, primary) is { } early)
        {
            return early;
        }

        return LauncherPodMutation.Decide(read, annotations, isCreate, new LauncherVmi("vm1", "ns1", vmi, addresses), nads, primary, FlagNamespace);
    }

    [Fact]
    public void A_pod_without_the_domain_annotation_is_not_a_vm()
    {
        var decision = LauncherPodMutation.Precheck(LauncherPod.Read(new Dictionary<string, string> { [Networks] = """[{"name":"supadupanet"}]""" }, "ns1"), PrimaryConfig);
        Assert.Equal(LauncherPod.NotAVm, decision!.Message);
        Assert.True(decision.Allowed);
        Assert.Equal(LauncherPod.NotAVm, LauncherPodMutation.Precheck(LauncherPod.Read(null, "ns1"), null)!.Message);
    }

    [Fact]
    public void Secondary_persistent_network_and_primary_network_set_the_claim_reference_and_the_primary_claim()
    {
        var decision = Decide(LauncherAnnotations("""[{"name":"supadupanet","namespace":"ns1"}]"""), IpamJson.Vmi(),
            IpamJson.Nads(("ns1/supadupanet", IpamJson.Persistent)), PrimaryConfig);

        Assert.True(decision.Allowed);
        Assert.Equal(2, decision.Annotations.Count);
        Assert.Equal("""[{"name":"supadupanet","namespace":"ns1","ipam-claim-reference":"vm1.randomnet"}]""", decision.Annotations[Networks]);
        Assert.Equal("vm1.podnet", decision.Annotations[LauncherPod.PrimaryUdnClaimAnnotation]);
    }

    [Fact]
    public void Primary_network_only_adds_only_the_primary_claim()
    {
        var decision = Decide(LauncherAnnotations(), IpamJson.Vmi(), IpamJson.Nads(), PrimaryConfig);
        Assert.Equal(new Dictionary<string, string> { [LauncherPod.PrimaryUdnClaimAnnotation] = "vm1.podnet" }, decision.Annotations);
    }

    [Fact]
    public void Primary_network_with_a_pool_mac_sets_the_default_network_element()
    {
        var decision = Decide(LauncherAnnotations(), IpamJson.Vmi(podMac: "02:03:04:05:06:07"), IpamJson.Nads(), PrimaryConfig);
        Assert.Equal(
            """[{"name":"default","namespace":"ovn-kubernetes","mac":"02:03:04:05:06:07","ipam-claim-reference":"vm1.podnet"}]""",
            decision.Annotations[LauncherPod.DefaultNetworkAnnotation]);
        Assert.Equal("vm1.podnet", decision.Annotations[LauncherPod.PrimaryUdnClaimAnnotation]);
    }

    [Fact]
    public void Requested_ips_get_the_prefix_of_their_family_subnet()
    {
        var decision = Decide(LauncherAnnotations(), IpamJson.Vmi(podMac: "02:03:04:05:06:07"), IpamJson.Nads(), PrimaryConfig,
            addresses: """{"podnet":["192.168.1.10","fd20:1234::200"]}""");
        Assert.Equal(
            """[{"name":"default","namespace":"ovn-kubernetes","ips":["192.168.1.10/16","fd20:1234::200/64"],"mac":"02:03:04:05:06:07","ipam-claim-reference":"vm1.podnet"}]""",
            decision.Annotations[LauncherPod.DefaultNetworkAnnotation]);
    }

    [Fact]
    public void Requested_ips_without_a_subnet_of_their_family_are_refused()
    {
        var v4Only = PrimaryConfig with { Subnets = "192.168.0.0/16" };
        var decision = Decide(LauncherAnnotations(), IpamJson.Vmi(), IpamJson.Nads(), v4Only, addresses: """{"podnet":["fd20:1234::200"]}""");
        Assert.False(decision.Allowed);
        Assert.Contains("no IPv6 subnet", decision.Message, StringComparison.Ordinal);
        Assert.False(Decide(LauncherAnnotations(), IpamJson.Vmi(), IpamJson.Nads(), v4Only, addresses: "{oops").Allowed);
    }

    [Fact]
    public void Secondary_persistent_network_only_changes_only_the_networks_annotation()
    {
        var decision = Decide(LauncherAnnotations("""[{"name":"supadupanet","namespace":"ns1"}]"""), IpamJson.Vmi(),
            IpamJson.Nads(("ns1/supadupanet", IpamJson.Persistent)), null);
        Assert.Equal([Networks], decision.Annotations.Keys);
    }

    [Fact]
    public void A_network_without_persistent_ips_carries_on()
    {
        var decision = Decide(LauncherAnnotations("""[{"name":"supadupanet","namespace":"ns1"}]"""), IpamJson.Vmi(),
            IpamJson.Nads(("ns1/supadupanet", IpamJson.NotPersistent)), null);
        Assert.Equal(LauncherPod.CarryOn, decision.Message);
        Assert.Empty(decision.Annotations);
    }

    [Fact]
    public void A_missing_nad_carries_on()
    {
        var decision = Decide(LauncherAnnotations("""[{"name":"supadupanet","namespace":"ns1"}]"""), IpamJson.Vmi(), IpamJson.Nads(), null);
        Assert.True(decision.Allowed);
        Assert.Equal(LauncherPod.CarryOn, decision.Message);
    }

    [Fact]
    public void A_nad_with_invalid_json_is_refused_with_the_reason()
    {
        var decision = Decide(LauncherAnnotations("""[{"name":"supadupanet","namespace":"ns1"}]"""), IpamJson.Vmi(), IpamJson.Nads(("ns1/supadupanet", "{bad")), null);
        Assert.False(decision.Allowed);
        Assert.Contains("failed to extract CNI configuration", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_networks_annotation_is_a_bad_request()
    {
        var decision = Decide(LauncherAnnotations("[{\"name\":1}]"), IpamJson.Vmi(), IpamJson.Nads(), null);
        Assert.False(decision.Allowed);
        Assert.Equal(400, decision.Code);
        Assert.StartsWith("failed to parse pod network selection elements: ", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vm_pod_without_networks_and_without_a_primary_needs_no_mutation()
    {
        var decision = Decide(LauncherAnnotations(), IpamJson.Vmi(), IpamJson.Nads(), null);
        Assert.Equal(LauncherPod.NoMutationRequired, decision.Message);
    }

    [Fact]
    public void A_missing_vmi_is_a_500_with_upstreams_wording()
    {
        var decision = LauncherPodMutation.VmiNotFound("ns1", "pod1", "virtualmachineinstances \"vm1\" not found");
        Assert.False(decision.Allowed);
        Assert.Equal(500, decision.Code);
        Assert.Equal("failed to access the VMI running in pod \"ns1/pod1\": virtualmachineinstances \"vm1\" not found", decision.Message);
    }

    [Theory]
    [InlineData("""[{"name":"default","namespace":"x"}]""")]
    [InlineData("anything")]
    public void Creating_a_pod_with_the_default_network_annotation_is_forbidden(string value)
    {
        var decision = Decide(LauncherAnnotations(null, (LauncherPod.DefaultNetworkAnnotation, value)), IpamJson.Vmi(), IpamJson.Nads(), PrimaryConfig);
        Assert.False(decision.Allowed);
        Assert.Equal(403, decision.Code);
        Assert.Equal("multus default network annotation \"v1.multus-cni.io/default-network\" is not allowed on pod creation", decision.Message);
    }

    [Fact]
    public void Updating_a_pod_with_the_default_network_annotation_is_allowed_with_a_patch()
    {
        var decision = Decide(LauncherAnnotations(null, (LauncherPod.DefaultNetworkAnnotation, "x")), IpamJson.Vmi(podMac: "02:03:04:05:06:07"), IpamJson.Nads(), PrimaryConfig, isCreate: false);
        Assert.True(decision.Allowed);
        Assert.Contains("02:03:04:05:06:07", decision.Annotations[LauncherPod.DefaultNetworkAnnotation], StringComparison.Ordinal);
    }

    [Fact]
    public void The_comma_form_is_rewritten_as_json_with_its_fields_kept_and_the_pool_mac_added()
    {
        var decision = Decide(LauncherAnnotations("ns1/supadupanet@eth1, other"), IpamJson.Vmi(secondaryMac: "02:00:00:AA:BB:CC"),
            IpamJson.Nads(("ns1/supadupanet", IpamJson.Persistent), ("ns1/other", IpamJson.NotPersistent)), null);
        Assert.Equal(
            """[{"name":"supadupanet","namespace":"ns1","mac":"02:00:00:aa:bb:cc","interface":"eth1","ipam-claim-reference":"vm1.randomnet"},{"name":"other","namespace":"ns1"}]""",
            decision.Annotations[Networks]);
    }

    [Fact]
    public void A_mac_already_in_the_element_is_never_overwritten_and_a_done_pod_is_left_alone()
    {
        var done = """[{"name":"supadupanet","namespace":"ns1","mac":"02:00:00:00:00:99","ipam-claim-reference":"vm1.randomnet","cni-args":{"a":1}}]""";
        var decision = Decide(LauncherAnnotations(done), IpamJson.Vmi(secondaryMac: "02:00:00:aa:bb:cc"), IpamJson.Nads(("ns1/supadupanet", IpamJson.Persistent)), null);
        Assert.Equal(LauncherPod.CarryOn, decision.Message);
        Assert.Empty(decision.Annotations);
    }

    [Fact]
    public void A_persistent_nad_that_is_not_one_of_the_vmis_networks_is_left_alone()
    {
        var decision = Decide(LauncherAnnotations("""[{"name":"elsewhere","namespace":"ns1"}]"""), IpamJson.Vmi(),
            IpamJson.Nads(("ns1/elsewhere", IpamJson.Persistent), ("ns1/supadupanet", IpamJson.Persistent)), null);
        Assert.Equal(LauncherPod.CarryOn, decision.Message);
    }
}
