using System.Text.Json.Nodes;
using CsCheck;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Networks;

public class NetworkSelectionPropertyTests
{
    // Letters, JSON-significant characters, control characters, non-ASCII and a surrogate pair.
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Char["abcXYZ019-_./:@ "].Array[0, 8].Select(c => new string(c)),
        Gen.Char["a\"\\/\n\t\u0001é日<>&\u2028"].Array[0, 6].Select(c => new string(c)),
        Gen.Const("😀x"));

    private static readonly Gen<JsonNode?> Scalar = Gen.OneOf(
        Text.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Double[-1e9, 1e9].Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const((JsonNode?)null));

    private static readonly Gen<JsonNode?> AnyValue = Value(3);

    private static readonly Gen<JsonNode?> AnyObject = Object(2);

    private static readonly Gen<string?> OptionalText = Gen.OneOf(Text.Select(s => (string?)s), Gen.Const((string?)null));

    private static readonly Gen<JsonNode?> TextList = OptionalText.Array[0, 3].Select(a => (JsonNode?)new JsonArray(a.Select(s => (JsonNode?)s).ToArray()));

    private static readonly Gen<JsonNode?> IpList = Gen.OneOf(Gen.Const("10.0.0.1"), Gen.Const("fd00::1"), Gen.Const("::ffff:1.2.3.4"), Gen.Const(""))
        .Array[0, 3].Select(a => (JsonNode?)new JsonArray(a.Select(s => (JsonNode?)s).ToArray()));

    private static readonly Gen<JsonNode?> Bandwidth = Gen.Select(Gen.Long, Gen.Int, Gen.Bool).Select((rate, burst, both) => (JsonNode?)(both
        ? new JsonObject { ["ingressRate"] = rate, ["egressBurst"] = burst, ["x"] = "y" }
        : new JsonObject { ["egressRate"] = rate }));

    private static readonly Gen<JsonNode?> PortMappings = Gen.Select(Gen.Int[0, 65535], Gen.Int[0, 65535], Text).Array[0, 2]
        .Select(a => (JsonNode?)new JsonArray(a.Select(p => (JsonNode?)new JsonObject { ["hostPort"] = p.Item1, ["containerPort"] = p.Item2, ["protocol"] = p.Item3 }).ToArray()));

    // Every Multus field with a value Go accepts (null included), and unknown fields with any value.
    private static readonly Gen<(string Key, JsonNode? Value)>[] Fields =
    [
        OptionalText.Select(v => ("namespace", (JsonNode?)v)),
        TextList.Select(v => ("ips", v)),
        OptionalText.Select(v => ("mac", (JsonNode?)v)),
        OptionalText.Select(v => ("infiniband-guid", (JsonNode?)v)),
        OptionalText.Select(v => ("interface", (JsonNode?)v)),
        OptionalText.Select(v => ("interfaceRequest", (JsonNode?)v)),
        PortMappings.Select(v => ("portMappings", v)),
        Bandwidth.Select(v => ("bandwidth", v)),
        OptionalText.Select(v => ("deviceID", (JsonNode?)v)),
        AnyObject.Select(v => ("cni-args", v)),
        IpList.Select(v => ("default-route", v)),
        OptionalText.Select(v => ("ipam-claim-reference", (JsonNode?)v)),
        Gen.Select(Text, AnyValue).Select((k, v) => ("x-" + k, v)),
        Gen.Select(Text, AnyValue).Select((k, v) => ("y" + k, v)),
    ];

    private static readonly Gen<JsonObject> Element =
        Gen.Select(OptionalText, Gen.Int[0, Fields.Length].SelectMany(n => Gen.ShuffleSelect(Fields, n)).Select(f => f.ToArray()), Gen.Int)
            .Select((name, fields, seed) =>
            {
                var element = new JsonObject();
                var entries = (name is null ? fields : fields.Append((Key: "name", Value: (JsonNode?)name))).DistinctBy(f => f.Key).ToArray();
                new Random(seed).Shuffle(entries);
                foreach (var (key, value) in entries)
                {
                    element[key] = value;
                }

                return element;
            });

    private static Gen<JsonNode?> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency((6, Scalar), (1, Object(depth - 1)), (1, Value(depth - 1).Array[0, 3].Select(a => (JsonNode?)new JsonArray(a))));

    private static Gen<JsonNode?> Object(int depth) =>
        Gen.Select(Text, Value(depth)).Array[0, 3].Select(fields =>
        {
            var obj = new JsonObject();
            foreach (var (key, value) in fields.DistinctBy(f => f.Item1))
            {
                obj[key] = value;
            }

            return (JsonNode?)obj;
        });

    private static bool IsEmptyText(JsonNode? node) => node is null || node.ToJsonString() == "\"\"";

    [Fact]
    public void Serialize_then_parse_keeps_every_field_in_order_and_a_set_mac()
    {
        Gen.Select(Element.Array[0, 4], Gen.Bool.Array[4], Text.Where(s => s.Length > 0)).Sample((originals, setMac, mac) =>
        {
            // Reference: the text a user would write, read back by System.Text.Json.
            var text = new JsonArray(originals.Select(o => (JsonNode?)o.DeepClone()).ToArray()).ToJsonString();
            var expected = JsonNode.Parse(text)!.AsArray().Select(e => e!.AsObject()).ToList();

            var first = NetworkSelectionAnnotation.Parse(text, "pod-ns");
            Assert.True(first.Form == NetworkAnnotationForm.JsonList, first.Error);
            var macAdded = new bool[expected.Count];
            for (var i = 0; i < expected.Count; i++)
            {
                if (setMac[i])
                {
                    first.Elements[i].Mac = mac;
                    macAdded[i] = !expected[i].ContainsKey("mac");
                    expected[i]["mac"] = mac;
                }
            }

            var written = NetworkSelectionAnnotation.Serialize(first.Elements);
            var again = NetworkSelectionAnnotation.Parse(written, "another-ns");
            Assert.True(again.Form == NetworkAnnotationForm.JsonList, again.Error);
            Assert.Equal(expected.Count, again.Elements.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                var want = expected[i];
                var got = again.Elements[i];
                var gotJson = JsonNode.Parse(NetworkSelectionAnnotation.Serialize([got]))!.AsArray()[0]!.AsObject();
                var namespaceAdded = IsEmptyText(want["namespace"]);
                foreach (var (key, value) in want)
                {
                    var actual = gotJson[key];
                    Assert.True(key == "namespace" && namespaceAdded ? actual!.GetValue<string>() == "pod-ns" : JsonNode.DeepEquals(value, actual), $"field {key} of element {i}: {written}");
                }

                Assert.Equal(want.Count + (want.ContainsKey("namespace") || !namespaceAdded ? 0 : 1), gotJson.Count);
                // The user's keys keep their order (an added "mac" has its own rule, tested elsewhere).
                var userKeys = want.Select(p => p.Key).Where(k => !(macAdded[i] && k == "mac")).ToList();
                Assert.Equal(userKeys, gotJson.Select(p => p.Key).Where(userKeys.Contains));
                Assert.Equal(want["name"]?.GetValue<string>() ?? "", got.Name);
                Assert.Equal(namespaceAdded ? "pod-ns" : want["namespace"]!.GetValue<string>(), got.Namespace);
                Assert.Equal(IsEmptyText(want["mac"]) ? null : want["mac"]!.GetValue<string>(), got.Mac);
                Assert.Equal(want["ips"] is JsonArray ips ? ips.Select(ip => ip?.GetValue<string>() ?? "") : Array.Empty<string>(), got.Ips);
            }

            // Once namespaces are explicit, writing is a fixed point.
            Assert.Equal(written, NetworkSelectionAnnotation.Serialize(again.Elements));
        }, iter: 2000);
    }

    [Fact]
    public void Parse_never_throws_on_random_text()
    {
        var chars = Gen.Char["[]{}\":,\\ \t\nabnulltrefs0123456789.-+eE/@é\uD800\uDC00"];
        chars.Array[0, 40].Select(c => new string(c)).Sample(text => Check(text), iter: 5000);
    }

    [Fact]
    public void Parse_never_throws_on_truncated_or_garbled_annotations()
    {
        var seeds = Element.Array[1, 3].Select(e => new JsonArray(e.Select(o => (JsonNode?)o).ToArray()).ToJsonString());
        Gen.Select(seeds, Gen.Double[0, 1], Gen.Int[0, 3], Gen.Char).Sample((text, where, how, c) =>
        {
            var at = (int)(where * text.Length);
            var garbled = how switch
            {
                0 => text[..at],
                1 => text.Insert(at, c.ToString()),
                2 => at < text.Length ? text.Remove(at, 1) : text,
                _ => at < text.Length ? text[..at] + c + text[(at + 1)..] : text + c,
            };
            Check(garbled);
        }, iter: 5000);
    }

    [Fact]
    public void Every_prefix_of_a_valid_annotation_is_refused_cleanly()
    {
        const string text = """[{"name":"a","namespace":"b","mac":"02:00:00:00:00:01","ips":["1.2.3.4"],"x":{"y":[1,2e5,true,null,"\u00e9"]}}]""";
        for (var cut = 1; cut < text.Length; cut++)
        {
            var parsed = NetworkSelectionAnnotation.Parse(text[..cut], "ns");
            Assert.Equal(NetworkAnnotationForm.Invalid, parsed.Form);
            Assert.StartsWith("parsePodNetworkAnnotation: failed to parse pod Network Attachment Selection Annotation JSON format: the value is not valid JSON", parsed.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_never_throws_on_any_json_shape() =>
        AnyValue.Select(v => v is null ? "null" : new JsonArray(v).ToJsonString()).Sample(text => Check(text), iter: 3000);

    [Fact]
    public void The_comma_form_parser_never_throws() =>
        Gen.Char["ab-1/@, \t_.A"].Array[0, 20].Select(c => new string(c)).Sample(text =>
        {
            var parsed = NetworkSelectionAnnotation.ParseCommaForm(text, "ns");
            return parsed.Form == NetworkAnnotationForm.Invalid
                ? parsed.Error!.StartsWith("parsePodNetworkAnnotation: parsePodNetworkObjectName: ", StringComparison.Ordinal)
                : parsed.Elements.All(e => e.Name.Length > 0) && NetworkSelectionAnnotation.Parse(NetworkSelectionAnnotation.Serialize(parsed.Elements), "ns").Elements.Count == parsed.Elements.Count;
        }, iter: 3000);

    // Whatever the input: no exception; an error is upstream-prefixed; elements can be written and read back.
    private static void Check(string text)
    {
        var parsed = NetworkSelectionAnnotation.Parse(text, "ns");
        switch (parsed.Form)
        {
            case NetworkAnnotationForm.Invalid:
                Assert.StartsWith("parsePodNetworkAnnotation: ", parsed.Error, StringComparison.Ordinal);
                break;
            case NetworkAnnotationForm.JsonList:
                var written = NetworkSelectionAnnotation.Serialize(parsed.Elements);
                Assert.Equal(parsed.Elements.Count, NetworkSelectionAnnotation.Parse(written, "ns").Elements.Count);
                break;
            default:
                Assert.Equal(NetworkAnnotationForm.CommaForm, parsed.Form);
                Assert.DoesNotContain(text, c => c is '[' or '{' or '"');
                break;
        }
    }
}
