using CsCheck;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Networks;

public class NetworkSelectionAnnotationTests
{
    [Fact]
    public void A_json_list_gets_the_pod_namespace_and_keeps_every_field()
    {
        var parsed = NetworkSelectionAnnotation.Parse("""[{ "name": "ovs-conf", "future-field": {"x": 1}, "ips": ["10.10.0.1"]}]""", "default");
        Assert.Equal(NetworkAnnotationForm.JsonList, parsed.Form);
        var element = Assert.Single(parsed.Elements);
        Assert.Equal("default", element.Namespace);
        Assert.Null(element.Mac);
        element.Mac = "02:00:00:00:00:01";
        Assert.Equal(
            """[{"name":"ovs-conf","namespace":"default","future-field":{"x":1},"ips":["10.10.0.1"],"mac":"02:00:00:00:00:01"}]""",
            NetworkSelectionAnnotation.Serialize(parsed.Elements));
    }

    [Fact]
    public void A_requested_mac_is_read_verbatim()
    {
        var parsed = NetworkSelectionAnnotation.Parse("""[{"name":"ovs-conf","namespace":"other","mac":"02-00-00-00-00-AA"}]""", "default");
        Assert.Equal("02-00-00-00-00-AA", parsed.Elements[0].Mac);
        Assert.Equal("other", parsed.Elements[0].Namespace);
    }

    [Theory]
    [InlineData("ovs-conf,other")]
    [InlineData("ns/net@eth1")]
    public void The_comma_form_is_recognised_and_left_alone(string value) =>
        Assert.Equal(NetworkAnnotationForm.CommaForm, NetworkSelectionAnnotation.Parse(value, "default").Form);

    [Fact]
    public void The_comma_form_parses_namespaces_and_interface_requests()
    {
        var elements = NetworkSelectionAnnotation.ParseCommaForm("net1, ns2/net2@eth2,net3@eth3", "default");
        Assert.Equal(["default/net1/", "ns2/net2/eth2", "default/net3/eth3"], elements.Select(e => $"{e.Namespace}/{e.Name}/{e.InterfaceRequest}"));
    }

    [Fact]
    public void An_empty_annotation_is_refused_with_the_upstream_message() =>
        Assert.Equal(
            "parsePodNetworkAnnotation: pod annotation not having \"network\" as key, refer Multus README.md for the usage guide",
            NetworkSelectionAnnotation.Parse("", "default").Error);

    [Theory]
    [InlineData("""{"name":"ovs-conf"}""")]
    [InlineData("""[{"name":"x","ips":"10.0.0.1"}]""")]
    [InlineData("""[{"name":"x","mac":7}]""")]
    [InlineData("""[{"name":"x","ips":[1]}]""")]
    [InlineData("""["x"]""")]
    [InlineData("""[{"name":"x"}""")]
    public void Malformed_json_is_refused_with_the_upstream_prefix(string value)
    {
        var parsed = NetworkSelectionAnnotation.Parse(value, "default");
        Assert.Equal(NetworkAnnotationForm.Invalid, parsed.Form);
        Assert.StartsWith("parsePodNetworkAnnotation: failed to parse pod Network Attachment Selection Annotation JSON format: ", parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_is_absent() => Assert.Equal(NetworkAnnotationForm.Absent, NetworkSelectionAnnotation.Parse(null, "ns").Form);

    [Fact]
    public void Parsing_never_throws_on_garbled_input()
    {
        var seed = """[{"name":"a","namespace":"b","mac":"02:00:00:00:00:01","ips":["1.2.3.4"],"x":{"y":[1,2]}}]""";
        Gen.Select(Gen.Int[0, seed.Length], Gen.Int[0, seed.Length], Gen.Char).Sample((cut, at, c) =>
        {
            var garbled = seed[..cut] + (at < cut ? c.ToString() : "");
            var parsed = NetworkSelectionAnnotation.Parse(garbled, "ns");
            return parsed.Form != NetworkAnnotationForm.Invalid || parsed.Error is not null;
        }, iter: 5000);
        Gen.String.Sample(s => NetworkSelectionAnnotation.Parse(s, "ns") is not null, iter: 5000);
    }

    [Fact]
    public void Serialize_then_parse_keeps_every_field()
    {
        var field = Gen.Select(Gen.String.AlphaNumeric.Where(s => s.Length > 0), Gen.String.AlphaNumeric);
        Gen.Select(Gen.String.AlphaNumeric.Where(s => s.Length > 0), field.Array[0, 5]).Array[1, 4].Sample(elements =>
        {
            var json = "[" + string.Join(",", elements.Select(e =>
                "{" + string.Join(",", new[] { $"\"name\":\"{e.Item1}\"", "\"namespace\":\"ns\"" }
                    .Concat(e.Item2.DistinctBy(f => f.Item1).Where(f => f.Item1 is not ("name" or "namespace")).Select(f => $"\"x-{f.Item1}\":\"{f.Item2}\""))) + "}")) + "]";
            var first = NetworkSelectionAnnotation.Parse(json, "ns");
            var again = NetworkSelectionAnnotation.Parse(NetworkSelectionAnnotation.Serialize(first.Elements), "ns");
            return NetworkSelectionAnnotation.Serialize(again.Elements) == System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString();
        }, iter: 500);
    }
}
