using KubeMacPool.Manager.Admission;
using Microsoft.AspNetCore.Http;

namespace KubeMacPool.Manager.Tests.Admission;

/// <summary>The webhook dispatch ahead of routing: webhook POSTs go to their endpoint, the rest down the pipeline.</summary>
public sealed class AdmissionRoutesTests
{
    private static (RequestDelegate Pipeline, List<string> Calls) Pipeline()
    {
        var calls = new List<string>();
        var routes = new AdmissionRoutes();
        routes.Add("/mutate-pods", _ => { calls.Add("pods"); return Task.CompletedTask; });
        routes.Add("/mutate-virtualmachines", _ => { calls.Add("vms"); return Task.CompletedTask; });
        return (routes.Middleware(_ => { calls.Add("next"); return Task.CompletedTask; }), calls);
    }

    private static DefaultHttpContext Request(string method, string path) => new() { Request = { Method = method, Path = path } };

    [Theory]
    [InlineData("POST", "/mutate-pods", "pods")]
    [InlineData("POST", "/mutate-virtualmachines", "vms")]
    [InlineData("POST", "/MUTATE-PODS", "pods")] // routing matched paths without regard to case; so does the dispatch
    [InlineData("GET", "/mutate-pods", "next")] // other methods get routing's answer (405)
    [InlineData("POST", "/readyz", "next")]
    [InlineData("POST", "/mutate-pods/extra", "next")]
    [InlineData("POST", "/", "next")]
    public async Task A_request_goes_to_its_webhook_or_on_down_the_pipeline(string method, string path, string expected)
    {
        var (pipeline, calls) = Pipeline();

        await pipeline(Request(method, path));

        Assert.Equal([expected], calls);
    }

    [Fact]
    public async Task Paths_cannot_be_added_once_requests_are_served()
    {
        var routes = new AdmissionRoutes();
        routes.Add("/a", _ => Task.CompletedTask);
        await routes.Middleware(_ => Task.CompletedTask)(Request("POST", "/a"));

        Assert.Throws<InvalidOperationException>(() => routes.Add("/b", _ => Task.CompletedTask));
    }
}
