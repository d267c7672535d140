using System.Net;
using System.Text;
using k8s;
using KubeMacPool.Manager.Kubernetes.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMacPool.Manager.Tests.Kubernetes.Client;

/// <summary>
/// Discovery asks for kubevirt.io/v1's own document through a real <see cref="k8s.Kubernetes"/> whose handler answers
/// in process: 200 is installed, 404 is not (look again later), anything else is a failure to retry.
/// </summary>
public sealed class KubeVirtDiscoveryTests
{
    [Fact]
    public async Task A_served_group_version_is_installed_at_the_first_answer()
    {
        var server = new Scripted(HttpStatusCode.OK);
        var discovery = new KubeVirtDiscovery(Client(server), new SignallingTimeProvider(), NullLogger<KubeVirtDiscovery>.Instance);

        await discovery.RunAsync(TestContext.Current.CancellationToken);

        Assert.True(await discovery.FirstAnswer);
        Assert.True(discovery.Installed.IsCompletedSuccessfully);
        Assert.Equal(["https://api.example.invalid:6443/apis/kubevirt.io/v1"], server.Urls);
    }

    [Fact]
    public async Task Not_found_answers_not_installed_and_KubeVirt_installed_later_is_found()
    {
        var server = new Scripted(HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.OK);
        var time = new SignallingTimeProvider();
        var discovery = new KubeVirtDiscovery(Client(server), time, NullLogger<KubeVirtDiscovery>.Instance);
        using var stop = new CancellationTokenSource();

        var running = discovery.RunAsync(stop.Token);
        Assert.False(await discovery.FirstAnswer.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.False(discovery.Installed.IsCompleted);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(KubeVirtDiscovery.Interval, await time.NextArmedAsync());
            time.Advance(KubeVirtDiscovery.Interval);
        }

        await discovery.Installed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(3, server.Urls.Count);
    }

    [Fact]
    public async Task A_failing_API_server_is_no_answer_and_is_asked_again()
    {
        var server = new Scripted(HttpStatusCode.InternalServerError, HttpStatusCode.NotFound);
        var time = new SignallingTimeProvider();
        var discovery = new KubeVirtDiscovery(Client(server), time, NullLogger<KubeVirtDiscovery>.Instance);
        using var stop = new CancellationTokenSource();

        var running = discovery.RunAsync(stop.Token);
        await time.NextArmedAsync();
        Assert.False(discovery.FirstAnswer.IsCompleted);

        time.Advance(KubeVirtDiscovery.Interval);
        Assert.False(await discovery.FirstAnswer.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private static k8s.Kubernetes Client(Scripted server) =>
        new(new KubernetesClientConfiguration { Host = "https://api.example.invalid:6443", AccessToken = "t0k" }, server);

    /// <summary>Answers each request with the next status of the script (the last one repeats) and records the URLs.</summary>
    private sealed class Scripted(params HttpStatusCode[] statuses) : DelegatingHandler
    {
        public List<string> Urls { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var status = statuses[Math.Min(Urls.Count, statuses.Length - 1)];
            Urls.Add(request.RequestUri!.AbsoluteUri);
            return Task.FromResult(new HttpResponseMessage(status)
            {
                RequestMessage = request,
                Content = new StringContent("""{"kind":"APIResourceList","groupVersion":"kubevirt.io/v1","resources":[]}""", Encoding.UTF8, "application/json"),
            });
        }
    }
}
