using System.Text.Json;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>
/// A list response read as it arrives: however the bytes are cut, the page is the same as from the whole response,
/// and a response that is cut short or garbled is a <see cref="JsonException"/>, never a partial page.
/// </summary>
public sealed class ListResponseReaderTests
{
    private static readonly string Items = string.Join(',', Enumerable.Range(0, 40).Select(i =>
        $$$"""{"metadata": {"name": "pod-{{{i}}}", "namespace": "ns", "annotations": {"x": "{{{new string('a', i * 7)}}}\"\\u00e9"}}, "spec": {"n": [{{{i}}}, {"deep": [true, null]}]}}"""));

    private static readonly string Response =
        $$"""{"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": "c\"1", "resourceVersion": "99", "remainingItemCount": 3}, "items": [{{Items}}]}""" + "\n";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void A_response_cut_anywhere_reads_as_the_whole_one(int chunk)
    {
        var whole = ListResponses.Read(Response, Name);

        var cut = ListResponses.Read(Response, Name, chunk);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"pod-{i}"), whole.Items);
        Assert.Equal(whole.Items, cut.Items);
        Assert.Equal(("c\"1", "99"), (cut.Continue, cut.ResourceVersion));
    }

    [Fact]
    public void Each_item_reader_sees_one_whole_item_and_nothing_else()
    {
        var seen = new List<string>();

        ListResponses.Read(Response, (ref Utf8JsonReader reader) =>
        {
            Assert.Equal(JsonTokenType.StartObject, reader.TokenType);
            using var item = JsonDocument.ParseValue(ref reader);
            Assert.False(reader.Read());
            seen.Add(item.RootElement.GetProperty("metadata").GetProperty("name").GetString()!);
            return 0;
        }, chunk: 13);

        Assert.Equal(40, seen.Count);
    }

    [Theory]
    [InlineData("""{"items": [], "metadata": {"resourceVersion": "7"}}""", 0, null, "7")]
    [InlineData("""{"metadata": {"resourceVersion": "7", "continue": ""}, "items": null}""", 0, null, "7")]
    [InlineData("""{"items": {"not": "an array"}, "metadata": null}""", 0, null, null)]
    [InlineData("""{"unknown": [1, {"a": [2, "]}"]}], "items": [{"metadata": {"name": "a"}}], "more": "x"}""", 1, null, null)]
    [InlineData("""  {"metadata": {"continue": "c", "selfLink": "/x"}, "items": [{"metadata": {}}, {"metadata": {"name": "b"}}]}  """, 2, "c", null)]
    public void Odd_but_valid_lists_read_without_losing_the_rest(string json, int count, string? continueToken, string? resourceVersion)
    {
        foreach (var chunk in new[] { 1, 5, 1 << 20 })
        {
            var page = ListResponses.Read(json, Name, chunk);

            Assert.Equal((count, continueToken, resourceVersion), (page.Items.Count, page.Continue, page.ResourceVersion));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("""{"items": [{"metadata": {"name": "a"}}""")]
    [InlineData("""{"items": [{"metadata": {"name": "a"}}]""")]
    [InlineData("""{"items": [{"metadata": {"name": "a"}}}]}""")]
    [InlineData("""{"metadata": {"resourceVersion": 7}, "items": []}""")]
    [InlineData("""{"items": [42]}""")]
    [InlineData("""{"items": [{"metadata": "text"}]}""")]
    public void A_cut_or_garbled_response_is_a_json_error(string json)
    {
        foreach (var chunk in new[] { 1, 3, 1 << 20 })
        {
            Assert.ThrowsAny<JsonException>(() => ListResponses.Read(json, Name, chunk));
        }
    }

    /// <summary>The item's metadata.name (null when absent); anything but an object is a JSON error, as the real readers have it.</summary>
    private static string? Name(ref Utf8JsonReader reader)
    {
        using var item = JsonDocument.ParseValue(ref reader);
        if (item.RootElement.ValueKind != JsonValueKind.Object || item.RootElement.GetProperty("metadata").ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("not a list item");
        }

        return item.RootElement.GetProperty("metadata").TryGetProperty("name", out var name) ? name.GetString() : null;
    }
}
