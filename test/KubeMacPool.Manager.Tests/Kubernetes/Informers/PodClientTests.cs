using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>
/// The raw list and watch requests (pods, and VirtualMachine pages), through a real <see cref="k8s.Kubernetes"/> whose handler chain answers in
/// process: the URLs and the token, the pages, the watch stream, and failures as the watcher expects them.
/// </summary>
public sealed class PodClientTests
{
    private static readonly string Pod = JsonSerializer.Serialize(JsonDocument.Parse(PodReaderTests.LauncherPod).RootElement);

    [Fact]
    public async Task A_list_page_is_one_get_with_limit_continue_and_the_token()
    {
        var server = new Canned(HttpStatusCode.OK, $$"""{"kind":"PodList","apiVersion":"v1","metadata":{"continue":"next","resourceVersion":"99"},"items":[{{Pod}}]}""");
        var client = ResourceClients.Pods(Client(server, "https://api.example.invalid:6443/prefix"));

        var page = await client.ListAsync("a+b=/c", 500, initial: false, TestContext.Current.CancellationToken);

        Assert.Equal("https://api.example.invalid:6443/prefix/api/v1/pods?limit=500&continue=a%2Bb%3D%2Fc", server.Requests.Single().Url);
        Assert.Equal("Bearer t0k", server.Requests.Single().Authorization);
        Assert.Equal(("next", "99"), (page.Continue, page.ResourceVersion));
        var pod = Assert.IsType<CachedPod>(Assert.Single(page.Items));
        Assert.Equal(("virt-launcher-vm-a-x7k2p", "42"), (pod.Metadata.Name, pod.Metadata.ResourceVersion));
    }

    [Theory]
    [InlineData("https://api.example.invalid")]
    [InlineData("https://api.example.invalid/")]
    public async Task The_base_address_may_end_with_a_slash_or_not(string host)
    {
        var server = new Canned(HttpStatusCode.OK, """{"metadata":{"resourceVersion":"1"},"items":[]}""");

        await ResourceClients.Pods(Client(server, host)).ListAsync(null, 10, initial: false, TestContext.Current.CancellationToken);

        Assert.Equal("https://api.example.invalid/api/v1/pods?limit=10", server.Requests.Single().Url);
    }

    [Fact]
    public async Task An_expired_list_is_an_http_operation_exception_with_status_410()
    {
        var server = new Canned(HttpStatusCode.Gone, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}""");

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            ResourceClients.Pods(Client(server)).ListAsync("old", 500, initial: false, TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Gone, e.Response.StatusCode);
        Assert.Contains("410", e.Message, StringComparison.Ordinal);
        Assert.Contains("Expired", e.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_streams_events_until_an_error_status_ends_it()
    {
        var body = string.Join('\n',
            $$"""{"type":"ADDED","object":{{Pod}}}""",
            "",
            $$"""{"type":"MODIFIED","object":{{Pod.Replace("\"42\"", "\"43\"", StringComparison.Ordinal)}}}""",
            """{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"44"}}}""",
            $$"""{"type":"DELETED","object":{{Pod.Replace("\"42\"", "\"45\"", StringComparison.Ordinal)}}}""",
            """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"Expired","code":410}}""",
            $$"""{"type":"ADDED","object":{{Pod}}}""") + "\n";
        var server = new Canned(HttpStatusCode.OK, body);
        var errors = new List<Exception>();

        var events = new List<(WatchEventType, string?)>();
        await foreach (var (type, pod) in ResourceClients.Pods(Client(server)).WatchAsync("41", errors.Add, TestContext.Current.CancellationToken))
        {
            events.Add((type, pod.Metadata.ResourceVersion));
        }

        Assert.Equal("https://api.example.invalid:6443/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=41&timeoutSeconds=240", server.Requests.Single().Url);
        Assert.Equal([(WatchEventType.Added, "42"), (WatchEventType.Modified, "43"), (WatchEventType.Bookmark, "44"), (WatchEventType.Deleted, "45")], events);
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(errors)).Status.Code);
    }

    [Fact]
    public async Task A_watch_ended_by_the_server_ends_the_stream_after_its_last_line()
    {
        var server = new Canned(HttpStatusCode.OK, $$"""{"type":"ADDED","object":{{Pod}}}""");

        var events = await ResourceClients.Pods(Client(server)).WatchAsync("41", e => throw e, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(WatchEventType.Added, Assert.Single(events).Type);
    }

    [Fact]
    public async Task A_garbled_watch_line_is_a_json_error()
    {
        var server = new Canned(HttpStatusCode.OK, $$"""{"type":"ADDED","object":{{Pod}}}""" + "\n{\"type\":\"ADDED\",\"object\":{\"meta\n");

        var events = new List<WatchEventType>();
        await Assert.ThrowsAnyAsync<JsonException>(async () =>
        {
            await foreach (var (type, _) in ResourceClients.Pods(Client(server)).WatchAsync("41", e => throw e, TestContext.Current.CancellationToken))
            {
                events.Add(type);
            }
        });
        Assert.Equal([WatchEventType.Added], events);
    }

    [Fact]
    public async Task An_informers_first_list_asks_for_any_version_and_its_next_pages_and_relists_for_the_latest()
    {
        var server = new Canned(HttpStatusCode.OK, """{"metadata":{"resourceVersion":"1"},"items":[]}""");
        var client = ResourceClients.Pods(Client(server));

        await client.ListAsync(null, 500, initial: true, TestContext.Current.CancellationToken);
        await client.ListAsync("c1", 500, initial: true, TestContext.Current.CancellationToken);
        await client.ListAsync(null, 500, initial: false, TestContext.Current.CancellationToken);
        await ResourceClients.VirtualMachines(Client(server)).ListAsync(null, 500, initial: true, TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                "https://api.example.invalid:6443/api/v1/pods?limit=500&resourceVersion=0",
                "https://api.example.invalid:6443/api/v1/pods?limit=500&continue=c1",
                "https://api.example.invalid:6443/api/v1/pods?limit=500",
                "https://api.example.invalid:6443/apis/kubevirt.io/v1/virtualmachines?limit=500&resourceVersion=0",
            ],
            server.Requests.Select(r => r.Url));
    }

    [Fact]
    public async Task A_response_many_times_the_read_buffer_arriving_in_small_reads_is_read_item_by_item()
    {
        // 300 pods of ~1.5 KB (the watch cache ignores the limit: one response holds every pod), 1,000 bytes a read.
        var items = string.Join(',', Enumerable.Range(0, 300).Select(i => Pod.Replace("virt-launcher-vm-a-x7k2p", $"pod-{i}", StringComparison.Ordinal)));
        var server = new Canned(HttpStatusCode.OK, $$"""{"metadata":{"resourceVersion":"7"},"items":[{{items}}]}""", readSize: 1000);
        var client = ResourceClients.Pods(Client(server));

        var first = await client.ListAsync(null, 500, initial: true, TestContext.Current.CancellationToken);
        var again = await client.ListAsync(null, 500, initial: true, TestContext.Current.CancellationToken);

        Assert.True(items.Length > 4 * 64 * 1024);
        Assert.Equal((300, "7", (string?)null), (first.Items.Count, first.ResourceVersion, first.Continue));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"pod-{i}"), first.Items.Select(p => p.Metadata.Name));
        Assert.Equal(first.Items.Select(p => p.Metadata.Name), again.Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task A_response_cut_short_is_a_json_error()
    {
        var server = new Canned(HttpStatusCode.OK, $$"""{"metadata":{"resourceVersion":"7"},"items":[{{Pod}},{{Pod}}""", readSize: 100);

        await Assert.ThrowsAnyAsync<JsonException>(() =>
            ResourceClients.Pods(Client(server)).ListAsync(null, 500, initial: true, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Virtual_machine_pages_are_raw_gets_read_into_the_cached_shape()
    {
        const string Vm = """
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"vm1","namespace":"ns","uid":"u1","resourceVersion":"5",
             "managedFields":[{"manager":"x"}]},"spec":{"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}}]}},
             "networks":[{"name":"default","pod":{}}]}}},"status":{"ready":true}}
            """;
        var server = new Canned(HttpStatusCode.OK, $$"""{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineList","metadata":{"continue":"c2","resourceVersion":"9"},"items":[{{Vm}}]}""");

        var page = await ResourceClients.VirtualMachines(Client(server)).ListAsync("c1", 500, initial: false, TestContext.Current.CancellationToken);

        Assert.Equal("https://api.example.invalid:6443/apis/kubevirt.io/v1/virtualmachines?limit=500&continue=c1", server.Requests.Single().Url);
        Assert.Equal(("c2", "9"), (page.Continue, page.ResourceVersion));
        var vm = Assert.Single(page.Items);
        Assert.True(vm.IsPacked);
        Assert.Equal(("vm1", "ns", "u1"), (vm.Metadata.Name, vm.Metadata.NamespaceProperty, vm.Metadata.Uid));
    }

    [Fact]
    public void Another_client_implementation_fails_at_construction()
    {
        var other = DispatchProxy.Create<IKubernetes, NotKubernetes>();

        var e = Assert.Throws<InvalidOperationException>(() => ResourceClients.Pods(other));

        Assert.Contains("k8s.Kubernetes", e.Message, StringComparison.Ordinal);
    }

    private static k8s.Kubernetes Client(Canned server, string host = "https://api.example.invalid:6443") =>
        new(new KubernetesClientConfiguration { Host = host, AccessToken = "t0k" }, server);

    /// <summary>Answers every request with one status and body (at most <paramref name="readSize"/> bytes a read), and records what was asked.</summary>
    private sealed class Canned(HttpStatusCode status, string body, int readSize = int.MaxValue) : DelegatingHandler
    {
        public List<(string Url, string? Authorization)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.RequestUri!.AbsoluteUri, request.Headers.Authorization?.ToString()));
            return Task.FromResult(new HttpResponseMessage(status)
            {
                RequestMessage = request,
                Content = new StreamContent(new Dribble(Encoding.UTF8.GetBytes(body), readSize)),
            });
        }
    }

    /// <summary>A body that gives at most <paramref name="readSize"/> bytes per read, as a network does.</summary>
    private sealed class Dribble(byte[] bytes, int readSize) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, readSize)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, readSize), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }

    // DispatchProxy derives from it, so it cannot be sealed.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1852", Justification = "DispatchProxy derives from it")]
    internal class NotKubernetes : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new NotSupportedException();
    }
}
