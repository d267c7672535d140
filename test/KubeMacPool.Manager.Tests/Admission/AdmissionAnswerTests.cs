using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMacPool.Manager.Admission;

namespace KubeMacPool.Manager.Tests.Admission;

public class AdmissionAnswerTests
{
    [Fact]
    public void An_allowed_answer_with_a_patch_carries_it_as_base64()
    {
        var pod = AdmissionCases.Element(JsonNode.Parse("""{"metadata":{"name":"p"}}""")!);
        var patch = new JsonPatch().SetAnnotation(pod, "kubemacpool.io/transaction-timestamp", "t").Add("/spec/x", "y");

        var answer = Answer("admission.k8s.io/v1beta1", "u1", AdmissionResult.Allow(patch));

        Assert.Equal(
            """{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,"patchType":"JSONPatch","patch":"PATCH"}}"""
                .Replace("PATCH", Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToString())), StringComparison.Ordinal),
            answer);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(JsonNode.Parse(answer)!["response"]!["patch"]!.GetValue<string>()));
        Assert.Equal(
            """[{"op":"add","path":"/metadata/annotations","value":{}},{"op":"add","path":"/metadata/annotations/kubemacpool.io~1transaction-timestamp","value":"t"},{"op":"add","path":"/spec/x","value":"y"}]""",
            decoded);
    }

    [Fact]
    public void A_plain_allow_has_no_patch_and_no_status() =>
        Assert.Equal(
            """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true}}""",
            Answer(null, "u", AdmissionResult.Allow()));

    [Fact]
    public void A_message_or_a_denial_is_a_status_with_its_code() =>
        Assert.Equal(
            """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true,"status":{"code":200,"message":"note"}}}""",
            Answer("admission.k8s.io/v1", "u", AdmissionResult.Allow(message: "note")));

    [Fact]
    public void A_denial_message_is_escaped_as_the_serialiser_escaped_it()
    {
        var answer = Answer(null, "u", AdmissionResult.Deny("mac \"02:00\" <taken> é", 409));
        Assert.Contains("""{"code":409,"message":"mac \u002202:00\u0022 \u003Ctaken\u003E \u00E9"}""", answer, StringComparison.Ordinal);
        Assert.Equal("mac \"02:00\" <taken> é", JsonNode.Parse(answer)!["response"]!["status"]!["message"]!.GetValue<string>());
        Assert.False(JsonNode.Parse(answer)!["response"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void A_large_patch_grows_the_pooled_buffer()
    {
        var patch = new JsonPatch();
        for (var i = 0; i < 500; i++)
        {
            patch.Add($"/spec/template/spec/domain/devices/interfaces/{i}/macAddress", "02:00:00:00:00:01");
        }

        var answer = JsonNode.Parse(Answer(null, "u", AdmissionResult.Allow(patch)))!;
        var ops = JsonNode.Parse(Convert.FromBase64String(answer["response"]!["patch"]!.GetValue<string>()))!.AsArray();
        Assert.Equal(500, ops.Count);
        Assert.Equal("/spec/template/spec/domain/devices/interfaces/499/macAddress", ops[499]!["path"]!.GetValue<string>());
    }

    private static string Answer(string? apiVersion, string uid, AdmissionResult result)
    {
        using var answer = AdmissionAnswer.Write(apiVersion, uid, result);
        Assert.True(JsonDocument.Parse(answer.WrittenMemory).RootElement.ValueKind == JsonValueKind.Object);
        return Encoding.UTF8.GetString(answer.WrittenSpan);
    }
}
