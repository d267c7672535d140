using System.Text.Json.Nodes;
using KubeMacPool.Manager.Admission;

namespace KubeMacPool.Manager.Tests.Admission;

public class JsonPatchTests
{
    [Fact]
    public void Annotation_keys_are_escaped_as_json_pointers() =>
        Assert.Equal("k8s.v1.cni.cncf.io~1networks", JsonPatch.EscapePointerSegment("k8s.v1.cni.cncf.io/networks"));

    [Fact]
    public void Setting_an_annotation_on_an_object_without_annotations_adds_the_map_first()
    {
        var pod = JsonNode.Parse("""{"metadata":{"name":"p"}}""")!.AsObject();
        var patch = new JsonPatch().SetAnnotation(AdmissionCases.Element(pod), "kubemacpool.io/transaction-timestamp", "2026-01-01T00:00:00Z");
        Assert.Equal(
            """[{"op":"add","path":"/metadata/annotations","value":{}},{"op":"add","path":"/metadata/annotations/kubemacpool.io~1transaction-timestamp","value":"2026-01-01T00:00:00Z"}]""",
            patch.ToString());
    }

    [Fact]
    public void The_patch_applies_and_touches_nothing_else()
    {
        var pod = JsonNode.Parse("""{"metadata":{"name":"p","annotations":{"a":"b"}},"spec":{"unknown":{"deep":[1,2]}}}""")!.AsObject();
        var patch = new JsonPatch().SetAnnotation(AdmissionCases.Element(pod), "k8s.v1.cni.cncf.io/networks", "[]");
        var document = System.Text.Json.JsonSerializer.Deserialize<Microsoft.AspNetCore.JsonPatch.SystemTextJson.JsonPatchDocument>(patch.ToString());
        var target = pod.DeepClone();
        document!.ApplyTo(target);
        Assert.Equal("[]", target["metadata"]!["annotations"]!["k8s.v1.cni.cncf.io/networks"]!.GetValue<string>());
        Assert.Equal("b", target["metadata"]!["annotations"]!["a"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(pod["spec"], target["spec"]));
    }
}
