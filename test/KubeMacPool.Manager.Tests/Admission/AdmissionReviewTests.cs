using System.Text.Json;
using KubeMacPool.Core.Networks;
using KubeMacPool.Manager.Admission;

namespace KubeMacPool.Manager.Tests.Admission;

public class AdmissionReviewTests
{
    [Fact]
    public void The_envelope_is_read_with_the_objects_in_place()
    {
        using var document = Parse("""
            {"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},
             "name":"p","namespace":"ns","operation":"UPDATE","userInfo":{"username":"x"},"object":{"metadata":{"name":"p"}},"oldObject":{"a":1},"dryRun":true}}
            """);
        Assert.True(AdmissionReview.TryRead(document.RootElement, out var apiVersion, out var request, out var problem));
        Assert.Null(problem);
        Assert.Equal("admission.k8s.io/v1beta1", apiVersion);
        Assert.Equal(("u1", "Pod", "p", "ns", "UPDATE", true), (request!.Uid, request.Kind, request.Name, request.Namespace, request.Operation, request.IsDryRun));
        Assert.Equal("p", request.Object!.Value.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(1, request.OldObject!.Value.GetProperty("a").GetInt32());
    }

    [Fact]
    public void Absent_and_null_fields_are_null()
    {
        using var document = Parse("""{"request":{"uid":"u","object":null,"oldObject":null,"dryRun":null,"name":null}}""");
        Assert.True(AdmissionReview.TryRead(document.RootElement, out var apiVersion, out var request, out _));
        Assert.Null(apiVersion);
        Assert.Null(request!.Object);
        Assert.Null(request.OldObject);
        Assert.Null(request.Name);
        Assert.False(request.IsDryRun);

        using var empty = Parse("{}");
        Assert.True(AdmissionReview.TryRead(empty.RootElement, out _, out var none, out _));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("[1,2,3]", "the review must be an object, not a list")]
    [InlineData("""{"apiVersion":1}""", "apiVersion must be a string, not a number")]
    [InlineData("""{"request":"x"}""", "request must be an object, not a string")]
    [InlineData("""{"request":{"uid":5}}""", "request.uid must be a string, not a number")]
    [InlineData("""{"request":{"uid":"u","kind":{"kind":[]}}}""", "request.kind.kind must be a string, not a list")]
    [InlineData("""{"request":{"uid":"u","object":[]}}""", "request.object must be an object, not a list")]
    [InlineData("""{"request":{"uid":"u","oldObject":"x"}}""", "request.oldObject must be an object, not a string")]
    [InlineData("""{"request":{"uid":"u","dryRun":"true"}}""", "request.dryRun must be a boolean, not a string")]
    public void A_field_of_the_wrong_type_is_the_problem_named(string review, string expected)
    {
        using var document = Parse(review);
        Assert.False(AdmissionReview.TryRead(document.RootElement, out _, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void A_duplicate_key_reads_as_the_API_server_reads_it_the_last_one_wins()
    {
        using var document = Parse("""
            {"apiVersion":"v0","apiVersion":"admission.k8s.io/v1","request":{"uid":"first","operation":"UPDATE","uid":"last",
             "object":{"spec":1},"operation":"CREATE","object":{"spec":{},"metadata":{"name":"a","name":"b"}}}}
            """);

        Assert.True(AdmissionReview.TryRead(document.RootElement, out var apiVersion, out var request, out _));
        Assert.Equal("admission.k8s.io/v1", apiVersion);
        Assert.Equal("last", request!.Uid);
        Assert.Equal("CREATE", request.Operation);
        Assert.Equal(JsonValueKind.Object, request.Object!.Value.GetProperty("spec").ValueKind);
        Assert.Equal("b", JsonNav.Path(request.Object, "metadata", "name")?.GetString());
    }

    private static JsonDocument Parse(string review) => JsonDocument.Parse(review, AdmissionReview.ParseOptions);
}
