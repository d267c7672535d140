using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Networks;

public class NetworkSelectionElementTests
{
    private static NetworkSelectionElement One(string value, string podNamespace = "default") =>
        Assert.Single(NetworkSelectionAnnotation.Parse(value, podNamespace).Elements);

    private static string Write(NetworkSelectionElement element) => NetworkSelectionAnnotation.Serialize([element]);

    [Theory]
    [InlineData("""{"name":"a"}""", """{"name":"a","namespace":"default","mac":"M"}""")]
    [InlineData("""{"name":"a","namespace":"n"}""", """{"name":"a","namespace":"n","mac":"M"}""")]
    [InlineData("""{"namespace":"n","name":"a","interface":"e"}""", """{"namespace":"n","name":"a","mac":"M","interface":"e"}""")]
    [InlineData("""{"name":"a","interface":"e","ips":["1"],"x":1}""", """{"name":"a","namespace":"default","interface":"e","ips":["1"],"mac":"M","x":1}""")]
    [InlineData("""{"x":1,"interface":"e"}""", """{"namespace":"default","mac":"M","x":1,"interface":"e"}""")]
    [InlineData("""{"name":"a","mac":"","z":1}""", """{"name":"a","namespace":"default","mac":"M","z":1}""")]
    [InlineData("""{"z":1,"name":"a","mac":null}""", """{"z":1,"name":"a","namespace":"default","mac":"M"}""")]
    public void An_added_mac_goes_after_name_namespace_and_ips_and_an_existing_one_is_replaced_in_place(string element, string expected)
    {
        var parsed = One("[" + element + "]");
        Assert.Null(parsed.Mac);
        parsed.Mac = "M";
        Assert.Equal("M", parsed.Mac);
        Assert.Equal("[" + expected + "]", Write(parsed));
    }

    [Fact]
    public void Setting_the_mac_of_an_element_that_has_one_replaces_it()
    {
        var element = One("""[{"name":"a","mac":"02:00:00:00:00:01","x":1}]""");
        element.Mac = "02:00:00:00:00:02";
        Assert.Equal("""[{"name":"a","namespace":"default","mac":"02:00:00:00:00:02","x":1}]""", Write(element));
    }

    [Fact]
    public void Clearing_the_mac_removes_every_spelling_of_it()
    {
        var element = One("""[{"name":"a","MAC":"02:00:00:00:00:01","mac":"02:00:00:00:00:02"}]""");
        element.Mac = null;
        Assert.Null(element.Mac);
        Assert.Equal("""[{"name":"a","namespace":"default"}]""", Write(element));
    }

    [Fact]
    public void A_differently_cased_key_is_read_as_Multus_reads_it()
    {
        var element = One("""[{"Name":"a","NameSpace":"n","MAC":"02:00:00:00:00:01","Interface":"e","IPS":["1.1.1.1"],"IPAM-Claim-Reference":"c"}]""");
        Assert.Equal("a", element.Name);
        Assert.Equal("n", element.Namespace);
        Assert.False(element.NamespaceIsImplicit);
        Assert.Equal("02:00:00:00:00:01", element.Mac);
        Assert.Equal("e", element.Interface);
        Assert.Equal(["1.1.1.1"], element.Ips);
        Assert.Equal("c", element.IpamClaimReference);
    }

    [Fact]
    public void Setting_the_mac_drops_other_spellings_so_multus_cannot_read_a_stale_one()
    {
        // Go would read whichever key comes last: a leftover "MAC":"" after ours would cancel it.
        var element = One("""[{"name":"a","mac":null,"MAC":""}]""");
        Assert.Null(element.Mac);
        element.Mac = "02:00:00:00:00:03";
        Assert.Equal("""[{"name":"a","namespace":"default","mac":"02:00:00:00:00:03"}]""", Write(element));
    }

    [Fact]
    public void Of_two_spellings_the_later_non_null_one_counts_for_strings()
    {
        Assert.Equal("B", One("""[{"mac":"A","MAC":"B"}]""").Mac);
        Assert.Equal("A", One("""[{"mac":"A","MAC":null}]""").Mac);
        Assert.Null(One("""[{"mac":"A","MAC":""}]""").Mac);
    }

    [Fact]
    public void A_null_ips_after_a_list_clears_it_as_in_Go()
    {
        Assert.Empty(One("""[{"ips":["1.1.1.1"],"IPs":null}]""").Ips);
        Assert.Equal(["2.2.2.2"], One("""[{"IPs":null,"ips":["2.2.2.2"]}]""").Ips);
    }

    [Fact]
    public void Absent_fields_read_as_empty()
    {
        var element = One("""[{}]""", "pods");
        Assert.Equal("", element.Name);
        Assert.Equal("pods", element.Namespace);
        Assert.Null(element.Mac);
        Assert.Null(element.Interface);
        Assert.Null(element.IpamClaimReference);
        Assert.Empty(element.Ips);
    }

    [Fact]
    public void The_ipam_claim_reference_is_added_last_and_replaced_in_place()
    {
        var element = One("""[{"name":"a","ipam-claim-reference":"old","x":1}]""");
        element.IpamClaimReference = "new";
        Assert.Equal("""[{"name":"a","namespace":"default","ipam-claim-reference":"new","x":1}]""", Write(element));

        var fresh = One("""[{"name":"a","x":1}]""");
        fresh.IpamClaimReference = "vm.net1";
        Assert.Equal("""[{"name":"a","namespace":"default","x":1,"ipam-claim-reference":"vm.net1"}]""", Write(fresh));
    }

    [Fact]
    public void Setting_a_mac_leaves_every_other_field_alone()
    {
        const string rest = "\"cni-args\":{\"k\":\"v\"},\"bandwidth\":{\"ingressRate\":1},\"future\":[null,true]";
        var element = One("[{\"name\":\"a\",\"namespace\":\"n\"," + rest + "}]");
        element.Mac = "02:00:00:00:00:01";
        Assert.Equal("[{\"name\":\"a\",\"namespace\":\"n\",\"mac\":\"02:00:00:00:00:01\"," + rest + "}]", Write(element));
    }
}
