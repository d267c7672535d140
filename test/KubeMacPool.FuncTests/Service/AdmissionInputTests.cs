using System.Net;
using System.Text;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Service;

/// <summary>
/// Whatever reaches the webhook port, the service answers cleanly (400/413 or a review) and keeps serving:
/// garbled, truncated, oversized and unexpected AdmissionReviews, sent straight to the running manager over TLS.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class AdmissionInputTests(ClusterFixture cluster, KubeMacPoolServiceFixture fixture)
    : IClassFixture<KubeMacPoolServiceFixture>, IAsyncLifetime
{
    private readonly HttpClient _http = new(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, byte[] body, string contentType = "application/json")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await _http.PostAsync(new Uri($"https://127.0.0.1:{fixture.Service.Port}{path}"), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/mutate-pods", "{")]
    [InlineData("/mutate-pods", "not json at all")]
    [InlineData("/mutate-virtualmachines", "[1,2,3]")]
    [InlineData("/mutate-virtualmachines", """{"request":{"object":{}}}""")]
    [InlineData("/mutate-pods", """{"request":{"uid":5}}""")]
    public async Task Malformed_reviews_get_a_clean_400(string path, string body)
    {
        var (status, text) = await PostAsync(path, Encoding.UTF8.GetBytes(body));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("malformed AdmissionReview", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_body_gets_413_and_the_service_keeps_serving()
    {
        try
        {
            var (status, _) = await PostAsync("/mutate-pods", new byte[5 * 1024 * 1024]);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // The server answered 413 and closed the connection before the client finished sending: also a refusal.
        }

        await StillServes();
    }

    [Fact]
    public async Task An_unexpected_object_shape_is_denied_with_a_reason_not_a_crash()
    {
        var review = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE","namespace":"x",
             "object":{"metadata":{"name":"vm"},"spec":{"template":{"spec":{"domain":{"devices":{"interfaces":"nope"}}}}}}}}
            """;
        var (status, text) = await PostAsync("/mutate-virtualmachines", Encoding.UTF8.GetBytes(review));
        Assert.Equal(HttpStatusCode.OK, status);
        var response = System.Text.Json.Nodes.JsonNode.Parse(text)!["response"]!;
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal("u1", response["uid"]!.GetValue<string>());
        Assert.Contains("interfaces", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var podReview = review.Replace("\"spec\":{\"template\"", "\"metadata2\":{\"template\"", StringComparison.Ordinal)
            .Replace("\"metadata\":{\"name\":\"vm\"}", "\"metadata\":{\"name\":\"p\",\"annotations\":{\"k8s.v1.cni.cncf.io/networks\":7}}", StringComparison.Ordinal);
        var (podStatus, podText) = await PostAsync("/mutate-pods", Encoding.UTF8.GetBytes(podReview));
        Assert.Equal(HttpStatusCode.OK, podStatus);
        Assert.False(System.Text.Json.Nodes.JsonNode.Parse(podText)!["response"]!["allowed"]!.GetValue<bool>());
        await StillServes();
    }

    [Fact]
    public async Task A_v1beta1_review_is_answered_in_v1beta1()
    {
        var review = """{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u2","operation":"CREATE","namespace":"x","object":{"metadata":{"name":"p"}}}}""";
        var (status, text) = await PostAsync("/mutate-pods", Encoding.UTF8.GetBytes(review));
        Assert.Equal(HttpStatusCode.OK, status);
        var answer = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        Assert.Equal("admission.k8s.io/v1beta1", answer["apiVersion"]!.GetValue<string>());
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
    }

    private async Task StillServes()
    {
        using var ready = await _http.GetAsync(new Uri($"https://127.0.0.1:{fixture.Service.Port}/readyz"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        _ = cluster;
    }
}
