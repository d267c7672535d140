using System.Buffers;
using System.Text;
using System.Text.Json;
using k8s;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>One line of a pod watch, decoded without HTTP.</summary>
public sealed class PodWatchEventsTests
{
    private static readonly string Compact = JsonSerializer.Serialize(JsonDocument.Parse(PodReaderTests.LauncherPod).RootElement);

    [Theory]
    [InlineData("ADDED", WatchEventType.Added)]
    [InlineData("MODIFIED", WatchEventType.Modified)]
    [InlineData("DELETED", WatchEventType.Deleted)]
    public void A_pod_event_carries_the_read_pod_and_its_version(string type, WatchEventType expected)
    {
        var decoded = Decode($$"""{"type":"{{type}}","object":{{Compact}}}""");

        Assert.Equal(expected, decoded.Type);
        Assert.Null(decoded.Error);
        var pod = Assert.IsType<CachedPod>(decoded.Pod);
        Assert.Equal(("virt-launcher-vm-a-x7k2p", "42", "Running"), (pod.Metadata.Name, pod.Metadata.ResourceVersion, pod.Status.Phase));
        Assert.Null(pod.Spec);
    }

    [Fact]
    public void A_bookmark_carries_only_its_version()
    {
        var decoded = Decode("""{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12345","creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}},"spec":{"containers":null},"status":{}}}""");

        Assert.Equal(WatchEventType.Bookmark, decoded.Type);
        Assert.Equal("12345", decoded.Pod!.Metadata.ResourceVersion);
        Assert.Null(decoded.Pod.Metadata.Name);
    }

    [Fact]
    public void The_object_may_come_before_the_type()
    {
        var decoded = Decode($$"""{"object":{{Compact}},"type":"MODIFIED"}""");

        Assert.Equal((WatchEventType.Modified, "42"), (decoded.Type, decoded.Pod!.Metadata.ResourceVersion));
    }

    [Theory]
    [InlineData("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}}""")]
    [InlineData("""{"object":{"apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410,"kind":"Status"},"type":"ERROR"}""")]
    public void An_expired_status_is_a_kubernetes_exception_with_code_410(string line)
    {
        var decoded = Decode(line);

        Assert.Equal(WatchEventType.Error, decoded.Type);
        Assert.Null(decoded.Pod);
        Assert.Equal((410, "Expired", "too old resource version: 1 (2)"), (decoded.Error!.Status.Code, decoded.Error.Status.Reason, decoded.Error.Status.Message));
    }

    [Fact]
    public void A_line_split_across_buffers_decodes_the_same()
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"type":"ADDED","object":{{Compact}}}""");
        var first = new Segment(bytes.AsMemory(0, 100));
        var last = first.Append(bytes.AsMemory(100));

        var decoded = PodWatchEvents.Decode(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Equal((WatchEventType.Added, "42"), (decoded.Type, decoded.Pod!.Metadata.ResourceVersion));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"type":"ADDED","object":{"metadata":{"name":"a"}""")]
    [InlineData("""{"type":"ADDED"}""")]
    [InlineData("""{"object":{"metadata":{}}}""")]
    [InlineData("""{"type":"RENAMED","object":{"metadata":{}}}""")]
    [InlineData("""{"type":"ADDED","object":[1]}""")]
    [InlineData("""{"type":"ADDED","object":{"metadata":{"namespace":[]}}}""")]
    [InlineData("""[{"type":"ADDED","object":{}}]""")]
    public void A_garbled_line_is_a_json_error(string line) =>
        Assert.ThrowsAny<JsonException>(() => Decode(line));

    private static PodWatchEvent Decode(string line) => PodWatchEvents.Decode(Encoding.UTF8.GetBytes(line));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
