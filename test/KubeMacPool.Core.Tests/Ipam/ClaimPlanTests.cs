using KubeMacPool.Core.Ipam;

namespace KubeMacPool.Core.Tests.Ipam;

public class ClaimPlanTests
{
    private static NadNetworkConfig PrimaryConfig => NadNetworkConfig.Parse(IpamJson.Primary).Config!;

    [Fact]
    public void A_persistent_secondary_network_and_a_persistent_primary_give_two_claims()
    {
        var plan = ClaimPlan.For("vm1", "ns1", IpamJson.Vmi("ns1/supadupanet", podMac: "02:00:00:00:00:01", secondaryMac: "02:00:00:00:00:0A"),
            IpamJson.Nads(("ns1/supadupanet", IpamJson.Persistent)), PrimaryConfig);

        Assert.Null(plan.Error);
        Assert.Equal(
            [new DesiredClaim("podnet", "vm1.podnet", "primarynet", "02:00:00:00:00:01"), new DesiredClaim("randomnet", "vm1.randomnet", "goodnet", "02:00:00:00:00:0a")],
            plan.Claims);
    }

    [Fact]
    public void A_bare_nad_name_resolves_in_the_vmi_namespace()
    {
        var plan = ClaimPlan.For("vm1", "ns1", IpamJson.Vmi("supadupanet"), IpamJson.Nads(("ns1/supadupanet", IpamJson.Persistent)), null);
        Assert.Equal("vm1.randomnet", Assert.Single(plan.Claims).ClaimName);
    }

    [Fact]
    public void A_nad_used_as_the_multus_default_network_gets_no_claim()
    {
        var plan = ClaimPlan.For("vm1", "ns1", IpamJson.Vmi(multusDefault: true, withPod: false), IpamJson.Nads(("ns1/supadupanet", IpamJson.Persistent)), null);
        Assert.Empty(plan.Claims);
        Assert.Null(plan.Error);
    }

    [Fact]
    public void Networks_without_persistent_ips_and_a_pod_network_without_a_primary_get_none()
    {
        var plan = ClaimPlan.For("vm1", "ns1", IpamJson.Vmi(), IpamJson.Nads(("ns1/supadupanet", IpamJson.NotPersistent)), null);
        Assert.Empty(plan.Claims);
        var notPersistentPrimary = PrimaryConfig with { AllowPersistentIps = false };
        Assert.Empty(ClaimPlan.For("vm1", "ns1", IpamJson.Vmi(), IpamJson.Nads(("ns1/supadupanet", IpamJson.NotPersistent)), notPersistentPrimary).Claims);
    }

    [Fact]
    public void A_nad_with_invalid_json_is_an_error_naming_the_network()
    {
        var plan = ClaimPlan.For("vm1", "ns1", IpamJson.Vmi(), IpamJson.Nads(("ns1/supadupanet", "{bad json")), null);
        Assert.Empty(plan.Claims);
        Assert.Contains("network randomnet (NetworkAttachmentDefinition ns1/supadupanet): failed to extract the relevant NAD information: failed to extract CNI configuration", plan.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_nad_is_waited_for()
    {
        var plan = ClaimPlan.For("vm1", "ns1", IpamJson.Vmi("other/gone"), IpamJson.Nads(), null);
        Assert.Equal(new NadReference("other", "gone"), plan.MissingNad);
        Assert.Empty(plan.Claims);
        Assert.Null(plan.Error);
    }

    [Fact]
    public void A_malformed_vmi_is_an_error()
    {
        var vmi = VmiSpec.Read(System.Text.Json.Nodes.JsonNode.Parse("""{"networks":"nope"}"""));
        Assert.NotNull(ClaimPlan.For("vm1", "ns1", vmi, IpamJson.Nads(), null).Error);
    }

    [Fact]
    public void Active_pods_are_read_from_the_vmi_status()
    {
        Assert.True(VmiSpec.HasActivePods(System.Text.Json.Nodes.JsonNode.Parse("""{"activePods":{"uid":"node1"}}""")));
        Assert.False(VmiSpec.HasActivePods(System.Text.Json.Nodes.JsonNode.Parse("""{"activePods":{}}""")));
        Assert.False(VmiSpec.HasActivePods(null));
    }
}
