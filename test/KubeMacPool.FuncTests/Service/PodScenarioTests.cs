using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Service;

/// <summary>The pod webhook and its availability (spec §8.1 H, §13.4) against the real manager.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class PodScenarioTests(ClusterFixture cluster, KubeMacPoolServiceFixture fixture)
    : IClassFixture<KubeMacPoolServiceFixture>, IAsyncLifetime
{
    private const string Networks = "k8s.v1.cni.cncf.io/networks";
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    private Task<k8s.Models.V1Pod> CreatePod(string ns, string name, string? networks) =>
        _k.CreatePodAsync(ns, TestCluster.NewPod(name, annotations: networks is null ? null : new Dictionary<string, string> { [Networks] = networks }));

    [Fact]
    public async Task A_pod_network_gets_a_mac_and_keeps_the_users_fields()
    {
        var ns = await _k.CreateNamespaceAsync();
        var pod = await CreatePod(ns.Name, "p1", """[{"name":"ovs-conf","ips":["10.10.0.1"],"x-custom":{"a":1}}]""");
        var element = System.Text.Json.Nodes.JsonNode.Parse(pod.Metadata.Annotations[Networks])![0]!;
        Assert.Equal(ns.Name, element["namespace"]!.GetValue<string>());
        Assert.Equal(1, element["x-custom"]!["a"]!.GetValue<int>());
        Assert.StartsWith("02:00:00:", element["mac"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requested_macs_are_exclusive_comma_form_is_left_alone_and_bad_json_is_refused()
    {
        var ns = await _k.CreateNamespaceAsync();
        await CreatePod(ns.Name, "holder", """[{"name":"net","mac":"02:00:00:00:bb:01"}]""");
        var taken = await Assert.ThrowsAnyAsync<Exception>(() => CreatePod(ns.Name, "second", """[{"name":"net","mac":"02-00-00-00-BB-01"}]"""));
        Assert.Contains("failed to allocate requested mac address", taken.Message, StringComparison.Ordinal);

        var comma = await CreatePod(ns.Name, "comma", "ovs-conf,other");
        Assert.Equal("ovs-conf,other", comma.Metadata.Annotations[Networks]);

        var bad = await Assert.ThrowsAnyAsync<Exception>(() => CreatePod(ns.Name, "bad", """{"name":"ovs-conf"}"""));
        Assert.Contains("parsePodNetworkAnnotation: failed to parse pod Network Attachment Selection Annotation JSON format", bad.Message, StringComparison.Ordinal);

        await _k.DeletePodAsync(ns.Name, "holder");
        await _k.EventuallyAsync(async () =>
        {
            try
            {
                await CreatePod(ns.Name, "second", """[{"name":"net","mac":"02:00:00:00:bb:01"}]""");
                return true;
            }
            catch (Exception e) when (e.Message.Contains("failed to allocate", StringComparison.Ordinal))
            {
                return false;
            }
        }, "the deleted pod's MAC to be reusable", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_launcher_pod_of_a_vm_is_left_to_the_vm_but_one_of_a_bare_vmi_gets_macs()
    {
        var ns = await _k.CreateNamespaceAsync();
        await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("has-vm"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        k8s.Models.V1Pod Launcher(string vmi) => new()
        {
            Metadata = new k8s.Models.V1ObjectMeta
            {
                Name = "virt-launcher-" + vmi,
                Annotations = new Dictionary<string, string> { [Networks] = """[{"name":"br1"}]""" },
                OwnerReferences =
                [
                    new k8s.Models.V1OwnerReference { ApiVersion = "kubevirt.io/v1", Kind = "VirtualMachineInstance", Name = vmi, Uid = Guid.NewGuid().ToString() },
                ],
            },
            Spec = new k8s.Models.V1PodSpec { Containers = [new k8s.Models.V1Container { Name = "compute", Image = "registry.invalid/none:1" }] },
        };

        var ofVm = await _k.CreatePodAsync(ns.Name, Launcher("has-vm"), dryRun: true);
        Assert.Equal("""[{"name":"br1"}]""", ofVm.Metadata.Annotations[Networks]);
        var bare = await _k.CreatePodAsync(ns.Name, Launcher("bare"), dryRun: true);
        Assert.Contains("\"mac\":\"02:00:00:", bare.Metadata.Annotations[Networks], StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_service_down_pods_are_refused_except_in_run_level_namespaces()
    {
        var ns = await _k.CreateNamespaceAsync();
        var critical = await _k.CreateNamespaceAsync();
        await critical.SetLabelAsync("runlevel", "0");
        var openshiftCritical = await _k.CreateNamespaceAsync();
        await openshiftCritical.SetLabelAsync("openshift.io/run-level", "1");
        await fixture.Service.StopAsync();
        try
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => CreatePod(ns.Name, "p1", null));
            Assert.Contains("mutatepods.kubemacpool.io", refused.Message, StringComparison.Ordinal);
            await CreatePod(critical.Name, "p1", null);
            await CreatePod(openshiftCritical.Name, "p1", null);
        }
        finally
        {
            await fixture.Service.StartAsync();
        }

        await CreatePod(ns.Name, "p1", null);
    }
}
