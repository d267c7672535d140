using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Harness;

/// <summary>
/// Proves the KubeVirt and Multus CRDs the product depends on are installed the way it needs them: unknown fields
/// survive (preserve-unknown-fields), dry runs store nothing, and VMI status is a subresource.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class CustomResourceHarnessTests(ClusterFixture cluster)
{
    [Fact(Timeout = 30_000)]
    public async Task VirtualMachine_round_trips_fields_the_CRD_does_not_declare()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync(waitForDefaultServiceAccount: false);
        var vm = TestCluster.ParseObject("""
            {
              "apiVersion": "kubevirt.io/v1",
              "kind": "VirtualMachine",
              "metadata": { "name": "roundtrip", "annotations": { "kubemacpool.io/transaction-timestamp": "2024-01-02T03:04:05Z" } },
              "spec": {
                "runStrategy": "Halted",
                "template": {
                  "metadata": { "labels": { "kubevirt.io/vm": "roundtrip" } },
                  "spec": {
                    "domain": {
                      "devices": {
                        "interfaces": [
                          { "name": "default", "masquerade": {} },
                          { "name": "br1", "bridge": {}, "macAddress": "02:00:00:00:00:01", "x-functest-interface-extra": 7 }
                        ]
                      },
                      "resources": { "requests": { "memory": "64Mi" } }
                    },
                    "networks": [
                      { "name": "default", "pod": {} },
                      { "name": "br1", "multus": { "networkName": "br1-nad" } }
                    ],
                    "x-functest-unknown": { "nested": [ 1, "two", { "three": true }, null ] }
                  }
                }
              }
            }
            """);

        var created = await k.CreateVirtualMachineAsync(ns.Name, vm);
        var stored = await k.GetVirtualMachineAsync(ns.Name, "roundtrip");

        AssertJsonEqual(vm["spec"], created["spec"]);
        AssertJsonEqual(vm["spec"], stored["spec"]);
        Assert.Equal(
            "2024-01-02T03:04:05Z",
            stored["metadata"]?["annotations"]?["kubemacpool.io/transaction-timestamp"]?.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(stored["metadata"]?["uid"]?.GetValue<string>()));

        var listed = await k.ListCustomObjectsAsync(CustomResources.VirtualMachines, ns.Name);
        Assert.Equal("roundtrip", Assert.Single(listed)["metadata"]?["name"]?.GetValue<string>());
    }

    [Fact(Timeout = 30_000)]
    public async Task Dry_run_VirtualMachine_create_answers_the_object_but_stores_nothing()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync(waitForDefaultServiceAccount: false);
        var vm = TestCluster.ParseObject("""
            { "metadata": { "name": "dry" }, "spec": { "runStrategy": "Halted", "template": { "spec": { "x-unknown": "kept" } } } }
            """);

        var answered = await k.CreateVirtualMachineAsync(ns.Name, vm, dryRun: true);

        Assert.Equal("kept", answered["spec"]?["template"]?["spec"]?["x-unknown"]?.GetValue<string>());
        Assert.Equal("kubevirt.io/v1", answered["apiVersion"]?.GetValue<string>());
        Assert.Null(await k.TryGetCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "dry"));
    }

    [Fact(Timeout = 30_000)]
    public async Task VirtualMachineInstance_phase_is_a_status_subresource()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync(waitForDefaultServiceAccount: false);
        var vmi = TestCluster.ParseObject("""
            {
              "metadata": { "name": "vmi" },
              "spec": { "domain": { "devices": { "interfaces": [ { "name": "default", "masquerade": {} } ] } }, "networks": [ { "name": "default", "pod": {} } ] },
              "status": { "phase": "Running" }
            }
            """);

        var created = await k.CreateVirtualMachineInstanceAsync(ns.Name, vmi);
        Assert.Null(created["status"]?["phase"]); // status on create is dropped when status is a subresource

        var patched = await k.SetVirtualMachineInstancePhaseAsync(ns.Name, "vmi", "Running");
        Assert.Equal("Running", patched["status"]?["phase"]?.GetValue<string>());

        // A patch of the main resource leaves status alone.
        await k.PatchCustomObjectAsync(
            CustomResources.VirtualMachineInstances,
            ns.Name,
            "vmi",
            TestCluster.MergePatch(new JsonObject { ["status"] = new JsonObject { ["phase"] = "Failed" }, ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["touched"] = "yes" } } }));
        var stored = await k.GetVirtualMachineInstanceAsync(ns.Name, "vmi");
        Assert.Equal("Running", stored["status"]?["phase"]?.GetValue<string>());
        Assert.Equal("yes", stored["metadata"]?["labels"]?["touched"]?.GetValue<string>());
        AssertJsonEqual(vmi["spec"], stored["spec"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task NetworkAttachmentDefinition_keeps_its_CNI_config_string()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync(waitForDefaultServiceAccount: false);
        var config = TestCluster.BridgeCniConfig("br1-net");

        await k.CreateNetworkAttachmentDefinitionAsync(ns.Name, "br1-net", config, new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/resourceName"] = "bridge.network.kubevirt.io/br1" });

        var stored = await k.GetCustomObjectAsync(CustomResources.NetworkAttachmentDefinitions, ns.Name, "br1-net");
        Assert.Equal(config, stored["spec"]?["config"]?.GetValue<string>());
        Assert.Equal("bridge", JsonNode.Parse(stored["spec"]!["config"]!.GetValue<string>())?["type"]?.GetValue<string>());
        Assert.Equal("bridge.network.kubevirt.io/br1", stored["metadata"]?["annotations"]?["k8s.v1.cni.cncf.io/resourceName"]?.GetValue<string>());
    }

    [Fact(Timeout = 30_000)]
    public async Task IPAMClaim_custom_resource_is_served()
    {
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var ns = await k.CreateNamespaceAsync(waitForDefaultServiceAccount: false);
        var claim = TestCluster.ParseObject("""
            { "metadata": { "name": "vm1.br1" }, "spec": { "network": "br1-net", "interface": "pod16367aadb6e" } }
            """);

        await k.CreateCustomObjectAsync(CustomResources.IpamClaims, ns.Name, claim);

        var stored = await k.GetCustomObjectAsync(CustomResources.IpamClaims, ns.Name, "vm1.br1");
        Assert.Equal("br1-net", stored["spec"]?["network"]?.GetValue<string>());
        Assert.Equal("k8s.cni.cncf.io/v1alpha1", stored["apiVersion"]?.GetValue<string>());
    }

    private static void AssertJsonEqual(JsonNode? expected, JsonNode? actual)
    {
        if (!JsonNode.DeepEquals(expected, actual))
        {
            Assert.Fail($"JSON differs.\nExpected: {expected?.ToJsonString()}\nActual:   {actual?.ToJsonString()}");
        }
    }
}
