using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Pool.Webhooks;
using KubeMacPool.Manager.Tests.Kubernetes.Informers;
using Microsoft.Extensions.Logging.Abstractions;
using static KubeMacPool.Manager.Tests.Admission.AdmissionCases;

namespace KubeMacPool.Manager.Tests.Pool;

/// <summary>The pod webhook's decisions, called directly with a real pool over sixteen addresses.</summary>
public sealed class PodWebhookTests : IDisposable
{
    private const string Networks = "k8s.v1.cni.cncf.io/networks";
    private const string NetworkStatus = "k8s.v1.cni.cncf.io/network-status";
    private const string NetworksPath = "/metadata/annotations/k8s.v1.cni.cncf.io~1networks";

    private static readonly MacOwner Owner = MacOwner.Pod("ns", "p");

    private readonly MacPool _pool = NewPool();

    // The VM informer is never run: the test feeds its cache through the informer's own event path.
    private readonly Informer<VirtualMachine> _virtualMachines =
        new(new FakeResourceClient<VirtualMachine>("virtualmachines"), null, true, NullLoggerFactory.Instance, TimeProvider.System);

    private readonly PodWebhook _webhook;

    public PodWebhookTests() => _webhook = new PodWebhook(_pool, _virtualMachines, Clock(), NullLogger<PodWebhook>.Instance);

    public void Dispose() => _virtualMachines.Dispose();

    private static JsonObject Pod(Dictionary<string, string>? annotations, string? name = "p", JsonArray? owners = null)
    {
        var metadata = new JsonObject { ["namespace"] = "ns" };
        if (name is not null)
        {
            metadata["name"] = name;
        }

        if (annotations is not null)
        {
            metadata["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value))));
        }

        if (owners is not null)
        {
            metadata["ownerReferences"] = owners;
        }

        return new JsonObject { ["metadata"] = metadata, ["spec"] = new JsonObject { ["containers"] = new JsonArray() } };
    }

    private static JsonObject PodWithNetworks(string networks, string? name = "p", JsonArray? owners = null) =>
        Pod(new() { [Networks] = networks }, name, owners);

    private async Task<AdmissionResult> ReviewAsync(AdmissionRequest request) =>
        await _webhook.ReviewAsync(request, TestContext.Current.CancellationToken);

    /// <summary>The rewritten networks annotation of an allowed patch (which must be its only op).</summary>
    private static JsonArray PatchedNetworks(AdmissionResult result)
    {
        Assert.True(result.Allowed);
        var (op, path, value) = Assert.Single(Ops(result));
        Assert.Equal(("add", NetworksPath), (op, path));
        return JsonNode.Parse(value!.GetValue<string>())!.AsArray();
    }

    private void AssertUntouched(AdmissionResult result)
    {
        Assert.True(result.Allowed);
        Assert.Null(result.Patch);
        Assert.Equal(0, _pool.EntryCount);
    }

    [Fact]
    public async Task A_pod_without_the_networks_annotation_is_allowed_without_a_patch() =>
        AssertUntouched(await ReviewAsync(Create(Pod(new() { ["other"] = "x" }))));

    [Fact]
    public async Task A_pod_without_annotations_is_allowed_without_a_patch() =>
        AssertUntouched(await ReviewAsync(Create(Pod(null))));

    [Fact]
    public async Task A_pod_that_already_has_network_status_is_left_untouched() =>
        AssertUntouched(await ReviewAsync(Create(Pod(new() { [Networks] = """[{"name":"br1"}]""", [NetworkStatus] = "[]" }))));

    [Fact]
    public async Task The_comma_form_of_the_networks_annotation_is_left_untouched() =>
        AssertUntouched(await ReviewAsync(Create(PodWithNetworks("br1,ns2/br2@eth5"))));

    [Fact]
    public async Task An_empty_network_list_is_left_untouched() =>
        AssertUntouched(await ReviewAsync(Create(PodWithNetworks("[]"))));

    [Fact]
    public async Task Invalid_json_in_the_networks_annotation_is_denied_with_the_parse_error()
    {
        var result = await ReviewAsync(Create(PodWithNetworks("""[{"name":"br1",""")));
        Assert.False(result.Allowed);
        Assert.Null(result.Patch);
        Assert.Contains("failed to parse pod Network Attachment Selection Annotation JSON format", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, _pool.EntryCount);
    }

    [Fact]
    public async Task Networks_without_macs_get_macs_from_the_range_pending_and_keep_their_other_fields()
    {
        var result = await ReviewAsync(Create(PodWithNetworks("""[{"name":"br1","interface":"eth7"},{"name":"br2","namespace":"other"}]""")));

        var networks = PatchedNetworks(result);
        Assert.Equal(
            """[{"name":"br1","namespace":"ns","mac":"02:00:00:00:00:00","interface":"eth7"},{"name":"br2","namespace":"other","mac":"02:00:00:00:00:01"}]""",
            networks.ToJsonString());
        Assert.Equal(["br1=02:00:00:00:00:00 (pending)", "br2=02:00:00:00:00:01 (pending)"], Entries(_pool, Owner));
        Assert.All(_pool.EntriesOf(Owner), e => Assert.Equal(Now, e.PendingSince));
    }

    [Fact]
    public async Task A_requested_mac_is_kept_and_registered_beside_allocated_ones()
    {
        var result = await ReviewAsync(Create(PodWithNetworks("""[{"name":"br1","mac":"0a:00:00:00:00:01"},{"name":"br2"}]""")));

        var networks = PatchedNetworks(result);
        Assert.Equal(["0a:00:00:00:00:01", "02:00:00:00:00:00"], networks.Select(n => n!["mac"]!.GetValue<string>()));
        Assert.Equal(["br1=0a:00:00:00:00:01 (pending)", "br2=02:00:00:00:00:00 (pending)"], Entries(_pool, Owner));
    }

    [Fact]
    public async Task A_requested_mac_another_owner_holds_is_denied_and_nothing_is_reserved()
    {
        _pool.Register(MacOwner.VirtualMachine("ns", "vm1"), "default", Mac("0a:00:00:00:00:01"));

        var result = await ReviewAsync(Create(PodWithNetworks("""[{"name":"br2"},{"name":"br1","mac":"0a:00:00:00:00:01"}]""")));

        Assert.False(result.Allowed);
        Assert.Equal(MacPool.RequestedMacTakenError, result.Message);
        Assert.Empty(_pool.EntriesOf(Owner));
        Assert.Equal(1, _pool.EntryCount);
    }

    [Fact]
    public async Task A_dry_run_answers_with_macs_but_leaves_no_reservation()
    {
        var result = await ReviewAsync(Create(PodWithNetworks("""[{"name":"br1"},{"name":"br2","mac":"0a:00:00:00:00:01"}]"""), dryRun: true));

        Assert.Equal("02:00:00:00:00:00", PatchedNetworks(result)[0]!["mac"]!.GetValue<string>());
        Assert.Equal(0, _pool.EntryCount);
        Assert.Equal(0, _pool.PendingCount);
        Assert.False(_pool.IsHeld(Mac("0a:00:00:00:00:01")));
    }

    [Fact]
    public async Task A_pod_created_with_generate_name_holds_its_macs_under_a_temporary_owner_named_by_the_request()
    {
        var result = await ReviewAsync(Create(PodWithNetworks("""[{"name":"br1"}]""", name: null)));

        Assert.True(result.Allowed);
        Assert.Equal(["br1=02:00:00:00:00:00 (pending)"], Entries(_pool, MacOwner.Pod("ns", PodWebhook.TemporaryOwnerPrefix + "req-1")));
        Assert.Equal(1, _pool.OwnerCount);
    }

    [Fact]
    public async Task The_launcher_pod_of_a_known_virtual_machine_is_left_to_the_vm_webhook()
    {
        await ((IResourceEventHandler<VirtualMachine>)_virtualMachines).OnEventAsync(
            WatchEventType.Added,
            new VirtualMachine { Metadata = new V1ObjectMeta { Name = "vm1", NamespaceProperty = "ns" } },
            TestContext.Current.CancellationToken);

        AssertUntouched(await ReviewAsync(Create(PodWithNetworks("""[{"name":"br1"}]""", "virt-launcher-vm1-x", LauncherOwner("vm1")))));
    }

    [Fact]
    public async Task The_launcher_pod_of_a_vmi_without_a_virtual_machine_gets_macs_here()
    {
        var result = await ReviewAsync(Create(PodWithNetworks("""[{"name":"br1"}]""", "virt-launcher-vmi1-x", LauncherOwner("vmi1"))));

        Assert.Equal("02:00:00:00:00:00", PatchedNetworks(result)[0]!["mac"]!.GetValue<string>());
        Assert.Single(_pool.EntriesOf(MacOwner.Pod("ns", "virt-launcher-vmi1-x")));
    }

    private static JsonArray LauncherOwner(string vmi) =>
        [new JsonObject { ["apiVersion"] = "kubevirt.io/v1", ["kind"] = "VirtualMachineInstance", ["name"] = vmi, ["uid"] = "u1", ["controller"] = true }];
}
