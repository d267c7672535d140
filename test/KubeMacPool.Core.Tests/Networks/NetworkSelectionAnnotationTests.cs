using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Networks;

public class NetworkSelectionAnnotationTests
{
    private const string JsonError = "parsePodNetworkAnnotation: failed to parse pod Network Attachment Selection Annotation JSON format: ";

    private static IReadOnlyList<NetworkSelectionElement> Elements(string value, string podNamespace = "default")
    {
        var parsed = NetworkSelectionAnnotation.Parse(value, podNamespace);
        Assert.True(parsed.Form == NetworkAnnotationForm.JsonList, parsed.Error);
        return parsed.Elements;
    }

    private static string Error(string value)
    {
        var parsed = NetworkSelectionAnnotation.Parse(value, "default");
        Assert.Equal(NetworkAnnotationForm.Invalid, parsed.Form);
        Assert.Empty(parsed.Elements);
        return parsed.Error!;
    }

    [Fact]
    public void No_annotation_is_absent()
    {
        var parsed = NetworkSelectionAnnotation.Parse(null, "default");
        Assert.Equal(NetworkAnnotationForm.Absent, parsed.Form);
        Assert.Null(parsed.Error);
    }

    [Fact]
    public void An_empty_annotation_is_refused_with_the_upstream_message() =>
        Assert.Equal(
            "parsePodNetworkAnnotation: pod annotation not having \"network\" as key, refer Multus README.md for the usage guide",
            Error(""));

    [Theory]
    [InlineData("ovs-conf,other")]
    [InlineData("ovs-conf")]
    [InlineData("ns/net@eth1")]
    [InlineData("  ")]
    [InlineData("null")]
    [InlineData("not a valid / short @ form @ at all")]
    public void Anything_without_bracket_brace_or_quote_is_the_comma_form_and_left_alone(string value)
    {
        var parsed = NetworkSelectionAnnotation.Parse(value, "default");
        Assert.Equal(NetworkAnnotationForm.CommaForm, parsed.Form);
        Assert.Empty(parsed.Elements);
        Assert.Null(parsed.Error);
    }

    // §13.4: '[{ "name": "ovs-conf"}]' → upstream writes [{"name":"ovs-conf","namespace":"default","mac":"…","cni-args":null}].
    [Fact]
    public void The_first_pod_example_gets_namespace_and_mac_but_no_null_cni_args()
    {
        var elements = Elements("""[{ "name": "ovs-conf"}]""");
        var element = Assert.Single(elements);
        Assert.Equal("ovs-conf", element.Name);
        Assert.Equal("default", element.Namespace);
        Assert.True(element.NamespaceIsImplicit);
        Assert.Null(element.Mac);
        element.Mac = "02:00:00:00:00:02";
        Assert.Equal("""[{"name":"ovs-conf","namespace":"default","mac":"02:00:00:00:00:02"}]""", NetworkSelectionAnnotation.Serialize(elements));
    }

    // §13.4 second example: content re-serialised as is (upstream adds "cni-args":null; we do not).
    [Fact]
    public void A_full_element_with_ips_and_mac_serialises_unchanged()
    {
        const string value = """[{"name":"ovs-conf","namespace":"default","ips":["10.10.0.1"],"mac":"02:00:00:00:00:00"}]""";
        var element = Assert.Single(Elements(value));
        Assert.Equal("02:00:00:00:00:00", element.Mac);
        Assert.Equal(["10.10.0.1"], element.Ips);
        Assert.False(element.NamespaceIsImplicit);
        Assert.Equal(value, NetworkSelectionAnnotation.Serialize([element]));
    }

    // §9: the init test's annotation, written by upstream, parses and keeps its explicit "cni-args":null.
    [Fact]
    public void An_upstream_written_annotation_round_trips_with_its_null_cni_args()
    {
        const string value = """[{"name":"ovs-conf","namespace":"managedNamespaceName","mac":"03:00:00:00:00:00","cni-args":null}]""";
        var element = Assert.Single(Elements(value));
        Assert.Equal("03:00:00:00:00:00", element.Mac);
        Assert.Equal("managedNamespaceName", element.Namespace);
        Assert.Equal(value, NetworkSelectionAnnotation.Serialize([element]));
    }

    [Fact]
    public void Each_write_is_whole_whatever_the_thread_wrote_before()
    {
        // A thread's writer is reused; a large annotation (past the buffer a thread keeps) must not leave a trace in
        // the next, small one, nor a small one in a large one.
        var large = $$$"""[{"name":"big","namespace":"default","cni-args":{"blob":"{{{new string('x', 40_000)}}}"}}]""";
        const string small = """[{"name":"br1","namespace":"default","mac":"02:00:00:00:00:01"}]""";
        foreach (var value in new[] { small, large, small, large, large, small })
        {
            Assert.Equal(value, NetworkSelectionAnnotation.Serialize(Elements(value)));
        }
    }

    // §9 "Multus annotation round-trip" cases.
    [Theory]
    [InlineData("""[{"name":"ovs-conf","namespace":"default","ips":["10.10.0.1"],"mac":"02:00:00:00:00:00"}]""")]
    [InlineData("""[{"name":"ovs-conf","namespace":"default","ips":["10.10.0.1","10.10.0.2","fd10::1"],"mac":"02:00:00:00:00:00"}]""")]
    [InlineData("""[{"name":"ovs-conf","namespace":"default","ips":["10.10.0.1"],"mac":"02:00:00:00:00:00"},{"name":"cnv-bridge","namespace":"openshift-cnv","mac":"02:F0:F0:F0:F0:F0"}]""")]
    public void Elements_with_ips_and_macs_round_trip(string value)
    {
        var elements = Elements(value);
        Assert.Equal(value, NetworkSelectionAnnotation.Serialize(elements));
        Assert.Equal(value, NetworkSelectionAnnotation.Serialize(Elements(NetworkSelectionAnnotation.Serialize(elements))));
    }

    [Fact]
    public void The_second_network_of_a_list_keeps_its_own_namespace_and_mac()
    {
        var elements = Elements("""[{"name":"a"},{"name":"cnv-bridge","namespace":"openshift-cnv","mac":"02:F0:F0:F0:F0:F0"}]""", "pods");
        Assert.Equal(["pods", "openshift-cnv"], elements.Select(e => e.Namespace));
        Assert.Equal([null, "02:F0:F0:F0:F0:F0"], elements.Select(e => e.Mac));
        Assert.Equal(["a", "cnv-bridge"], elements.Select(e => e.InterfaceKey));
    }

    [Fact]
    public void Unknown_fields_and_their_order_survive_and_namespace_goes_right_after_name()
    {
        var elements = Elements("""[{"future":{"x":[1,2.50,"é<&>"]},"name":"br","interface":"eth7","ips":["10.0.0.1/24"],"x-y":null}]""", "team");
        elements[0].Mac = "02:00:00:00:00:0a";
        Assert.Equal(
            """[{"future":{"x":[1,2.50,"é<&>"]},"name":"br","namespace":"team","interface":"eth7","ips":["10.0.0.1/24"],"mac":"02:00:00:00:00:0a","x-y":null}]""",
            NetworkSelectionAnnotation.Serialize(elements));
    }

    [Fact]
    public void An_element_without_name_gets_its_namespace_first() =>
        Assert.Equal("""[{"namespace":"team","interface":"eth1"}]""", NetworkSelectionAnnotation.Serialize(Elements("""[{"interface":"eth1"}]""", "team")));

    [Theory]
    [InlineData("""[{"name":"a","namespace":null}]""")]
    [InlineData("""[{"name":"a","namespace":""}]""")]
    public void A_null_or_empty_namespace_is_filled_in_place(string value) =>
        Assert.Equal("""[{"name":"a","namespace":"team"}]""", NetworkSelectionAnnotation.Serialize(Elements(value, "team")));

    [Fact]
    public void An_empty_list_is_elements_with_none() => Assert.Empty(Elements("[]"));

    [Fact]
    public void Serializing_nothing_is_an_empty_list() => Assert.Equal("[]", NetworkSelectionAnnotation.Serialize([]));

    [Fact]
    public void A_json_string_with_escapes_is_written_back_readably()
    {
        var element = Assert.Single(Elements("""[{"name":"a\u00e9\"\\\n","x":"\u2028"}]"""));
        Assert.Equal("aé\"\\\n", element.Name);
        Assert.Equal("""[{"name":"aé\"\\\n","namespace":"default","x":"\u2028"}]""", NetworkSelectionAnnotation.Serialize([element]));
    }

    // §13.4: a single object and "ips" as a string are denied with the upstream prefix.
    [Theory]
    [InlineData("""{"name":"ovs-conf"}""", "the annotation must be a list of network selection objects, not an object")]
    [InlineData("""[{"name":"x","ips":"10.0.0.1"}]""", "element 0: \"ips\" must be a list of strings, not a string")]
    [InlineData("""[{"name":"x","ips":"10.10.0.1"}]""", "element 0: \"ips\" must be a list of strings, not a string")]
    [InlineData("\"ovs-conf\"", "the annotation must be a list of network selection objects, not a string")]
    [InlineData("""["x"]""", "element 0 must be an object, not a string")]
    [InlineData("""[{"name":"a"},null]""", "element 1 must be an object, not null")]
    [InlineData("""[[]]""", "element 0 must be an object, not a list")]
    public void Wrong_shapes_are_refused_with_a_sentence(string value, string detail) => Assert.Equal(JsonError + detail, Error(value));

    [Theory]
    [InlineData("""[{"name":1}]""", "\"name\" must be a string, not a number")]
    [InlineData("""[{"name":"x","namespace":true}]""", "\"namespace\" must be a string, not a boolean")]
    [InlineData("""[{"name":"x","mac":7}]""", "\"mac\" must be a string, not a number")]
    [InlineData("""[{"name":"x","mac":["02:00:00:00:00:01"]}]""", "\"mac\" must be a string, not a list")]
    [InlineData("""[{"name":"x","ips":[1]}]""", "\"ips\"[0] must be a string, not a number")]
    [InlineData("""[{"name":"x","ips":{"a":"b"}}]""", "\"ips\" must be a list of strings, not an object")]
    [InlineData("""[{"name":"x","interface":{}}]""", "\"interface\" must be a string, not an object")]
    [InlineData("""[{"name":"x","interfaceRequest":3}]""", "\"interfaceRequest\" must be a string, not a number")]
    [InlineData("""[{"name":"x","infiniband-guid":false}]""", "\"infiniband-guid\" must be a string, not a boolean")]
    [InlineData("""[{"name":"x","deviceID":0}]""", "\"deviceID\" must be a string, not a number")]
    [InlineData("""[{"name":"x","ipam-claim-reference":[]}]""", "\"ipam-claim-reference\" must be a string, not a list")]
    [InlineData("""[{"name":"x","default-route":"10.0.0.1"}]""", "\"default-route\" must be a list of IP addresses, not a string")]
    [InlineData("""[{"name":"x","default-route":["10.0.0.256"]}]""", "\"default-route\"[0] must be an IP address, not \"10.0.0.256\"")]
    [InlineData("""[{"name":"x","default-route":["010.0.0.1"]}]""", "\"default-route\"[0] must be an IP address, not \"010.0.0.1\"")]
    [InlineData("""[{"name":"x","default-route":["fe80::1%eth0"]}]""", "\"default-route\"[0] must be an IP address, not \"fe80::1%eth0\"")]
    [InlineData("""[{"name":"x","default-route":[5]}]""", "\"default-route\"[0] must be an IP address, not a number")]
    [InlineData("""[{"name":"x","cni-args":"a=b"}]""", "\"cni-args\" must be an object, not a string")]
    [InlineData("""[{"name":"x","cni-args":[]}]""", "\"cni-args\" must be an object, not a list")]
    [InlineData("""[{"name":"x","cni-args":{"a":[1e400]}}]""", "\"cni-args\" holds a number too large for a float64: 1e400")]
    [InlineData("""[{"name":"x","bandwidth":[]}]""", "\"bandwidth\" must be a bandwidth object, not a list")]
    [InlineData("""[{"name":"x","bandwidth":{"ingressRate":"1M"}}]""", "\"bandwidth\".ingressRate must be an integer, not a string")]
    [InlineData("""[{"name":"x","bandwidth":{"egressBurst":1.5}}]""", "\"bandwidth\".egressBurst must be an integer, not a number")]
    [InlineData("""[{"name":"x","bandwidth":{"egressRate":1e3}}]""", "\"bandwidth\".egressRate must be an integer, not a number")]
    [InlineData("""[{"name":"x","bandwidth":{"ingressBurst":9223372036854775808}}]""", "\"bandwidth\".ingressBurst must be an integer, not a number")]
    [InlineData("""[{"name":"x","portMappings":{}}]""", "\"portMappings\" must be a list of port mappings, not an object")]
    [InlineData("""[{"name":"x","portMappings":["80:80"]}]""", "\"portMappings\"[0] must be a port mapping object, not a string")]
    [InlineData("""[{"name":"x","portMappings":[{"hostPort":"80"}]}]""", "\"portMappings\"[0].hostPort must be an integer, not a string")]
    [InlineData("""[{"name":"x","portMappings":[{"containerPort":80,"protocol":6}]}]""", "\"portMappings\"[0].protocol must be a string, not a number")]
    [InlineData("""[{"name":"x","portMappings":[{"hostIP":["1.2.3.4"]}]}]""", "\"portMappings\"[0].hostIP must be a string, not a list")]
    public void Known_fields_of_the_wrong_type_are_refused_as_Go_would(string value, string detail) =>
        Assert.Equal(JsonError + "element 0: " + detail, Error(value));

    [Fact]
    public void Every_known_field_of_the_right_type_is_accepted()
    {
        var element = Assert.Single(Elements("""
            [{"name":"x","namespace":"n","ips":["10.0.0.1/24",null],"mac":"02:00:00:00:00:01","infiniband-guid":"c2:11",
              "interface":"net1","interfaceRequest":"net9","portMappings":[{"hostPort":80,"containerPort":-0,"protocol":"tcp","hostIP":"1.2.3.4","extra":[]},null],
              "bandwidth":{"ingressRate":1000,"ingressBurst":null,"egressRate":-5,"egressBurst":9223372036854775807,"other":"x"},
              "deviceID":"0000:00:1f.0","cni-args":{"a":[1.5e300,{"b":null}],"c":true},"default-route":["10.0.0.1","fd00::1","::ffff:1.2.3.4","",null],
              "ipam-claim-reference":"vm-a.net1","unknown":{"ips":"not checked"}}]
            """));
        Assert.Equal(["10.0.0.1/24", ""], element.Ips);
        Assert.Equal("net1", element.Interface);
        Assert.Equal("vm-a.net1", element.IpamClaimReference);
    }

    [Fact]
    public void Null_is_accepted_for_every_known_field() =>
        Assert.Single(Elements("""
            [{"name":null,"namespace":null,"ips":null,"mac":null,"infiniband-guid":null,"interface":null,"interfaceRequest":null,
              "portMappings":null,"bandwidth":null,"deviceID":null,"cni-args":null,"default-route":null,"ipam-claim-reference":null}]
            """));

    [Theory]
    [InlineData("""[{"NAME":"x","Ips":"10.0.0.1"}]""", "\"Ips\" must be a list of strings, not a string")]
    [InlineData("""[{"name":"x","IPſ":"10.0.0.1"}]""", "\"IPſ\" must be a list of strings, not a string")]
    [InlineData("""[{"name":"x","Mac":5}]""", "\"Mac\" must be a string, not a number")]
    [InlineData("""[{"name":"x","Bandwidth":{"INGRESSRATE":"x"}}]""", "\"Bandwidth\".INGRESSRATE must be an integer, not a string")]
    public void Keys_match_fields_case_insensitively_as_in_Go(string value, string detail) =>
        Assert.Equal(JsonError + "element 0: " + detail, Error(value));

    [Theory]
    [InlineData("""[{"name":"x"}""")]
    [InlineData("""[{"name":"x",}]""")]
    [InlineData("""[{"name":"x"}] trailing""")]
    [InlineData("""[{'name':'x'}]""")]
    [InlineData("""[{"name":"x"} /* comment */]""")]
    [InlineData("[")]
    [InlineData("\"")]
    [InlineData("\uFEFF[]")]
    public void Invalid_json_is_refused_with_where_and_why(string value) =>
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(JsonError) + @"the value is not valid JSON at line \d+, byte \d+: .+[^.]$", Error(value));

    [Fact]
    public void Invalid_json_names_the_position()
    {
        Assert.Equal(JsonError + "the value is not valid JSON at line 1, byte 10: '}' is an invalid start of a value", Error("""[{"name":}]"""));
        Assert.Equal(JsonError + "the value is not valid JSON at line 2, byte 2: ']' is invalid after a single JSON value. Expected end of data", Error("[\n]]"));
    }

    [Fact]
    public void Nesting_deeper_than_the_bound_is_refused_not_a_crash()
    {
        var deep = "[{\"name\":\"x\",\"y\":" + new string('[', 300) + new string(']', 300) + "}]";
        Assert.Contains("maximum configured depth", Error(deep), StringComparison.Ordinal);
        var fine = "[{\"name\":\"x\",\"y\":" + new string('[', 200) + new string(']', 200) + "}]";
        Assert.Equal(fine, NetworkSelectionAnnotation.Serialize(Elements(fine)).Replace(",\"namespace\":\"default\"", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_keys_are_accepted_and_the_last_one_wins_in_the_first_ones_place()
    {
        var element = Assert.Single(Elements("""[{"mac":"02:00:00:00:00:01","name":"x","mac":"02:00:00:00:00:02","z":{"a":1,"a":2}}]"""));
        Assert.Equal("02:00:00:00:00:02", element.Mac);
        Assert.Equal("""[{"mac":"02:00:00:00:00:02","name":"x","namespace":"default","z":{"a":2}}]""", NetworkSelectionAnnotation.Serialize([element]));
    }

    [Fact]
    public void An_escaped_unpaired_surrogate_reads_as_a_replacement_character_as_in_Go()
    {
        var element = Assert.Single(Elements("""[{"name":"a\ud800b","\udc00":"\ud83d\ude00\ud83d"}]"""));
        Assert.Equal("a\uFFFDb", element.Name);
        Assert.Equal("[{\"name\":\"a\uFFFDb\",\"namespace\":\"default\",\"\uFFFD\":\"\\uD83D\\uDE00\uFFFD\"}]", NetworkSelectionAnnotation.Serialize([element]));
    }

    [Fact]
    public void A_raw_unpaired_surrogate_in_the_text_is_not_a_crash()
    {
        var element = Assert.Single(Elements("[{\"name\":\"a\uD800\"}]"));
        Assert.Equal("a\uFFFD", element.Name);
    }

    [Fact]
    public void The_comma_form_parses_every_shape_as_multus_does()
    {
        var parsed = NetworkSelectionAnnotation.ParseCommaForm("net1, ns2/net2 ,net3@eth1, ns4 / net4 @ if4", "pods");
        Assert.Equal(NetworkAnnotationForm.CommaForm, parsed.Form);
        Assert.Equal(
            ["net1|pods|", "net2|ns2|", "net3|pods|eth1", "net4|ns4|if4"],
            parsed.Elements.Select(e => $"{e.Name}|{e.Namespace}|{e.Interface}"));
        Assert.Equal(
            """[{"name":"net1","namespace":"pods"},{"name":"net2","namespace":"ns2"},{"name":"net3","namespace":"pods","interface":"eth1"},{"name":"net4","namespace":"ns4","interface":"if4"}]""",
            NetworkSelectionAnnotation.Serialize(parsed.Elements));
    }

    [Fact]
    public void Comma_form_elements_take_a_mac_like_json_ones()
    {
        var parsed = NetworkSelectionAnnotation.ParseCommaForm("ns/net@if", "pods");
        parsed.Elements[0].Mac = "02:00:00:00:00:01";
        Assert.Equal("""[{"name":"net","namespace":"ns","mac":"02:00:00:00:00:01","interface":"if"}]""", NetworkSelectionAnnotation.Serialize(parsed.Elements));
    }

    [Theory]
    [InlineData("a/b/c", "parsePodNetworkObjectName: Invalid network object (failed at '/')")]
    [InlineData("a@b@c", "parsePodNetworkObjectName: Invalid network object (failed at '@')")]
    [InlineData("Net1", "parsePodNetworkObjectName: Failed to match Net1 with spec")]
    [InlineData("ns_1/net", "parsePodNetworkObjectName: Failed to match ns_1 with spec")]
    [InlineData("net@eth_1", "parsePodNetworkObjectName: Failed to match eth_1 with spec")]
    [InlineData("-net", "parsePodNetworkObjectName: Failed to match -net with spec")]
    [InlineData("net1,,net2", "parsePodNetworkObjectName: network name is empty in \"\"")]
    [InlineData("ns/@eth1", "parsePodNetworkObjectName: network name is empty in \"ns/@eth1\"")]
    public void Malformed_comma_forms_are_refused_with_multus_wording(string value, string detail)
    {
        var parsed = NetworkSelectionAnnotation.ParseCommaForm(value, "pods");
        Assert.Equal(NetworkAnnotationForm.Invalid, parsed.Form);
        Assert.Equal("parsePodNetworkAnnotation: " + detail, parsed.Error);
    }
}
