using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Core.Pool;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Service;

/// <summary>
/// KubeVirt installed after the manager started: the manager serves pods without it, finds kubevirt.io/v1 by
/// discovery, and then runs the VM side (webhook state kept by the VM controller: a deleted VM's MAC is released).
/// The kubevirt.io CRDs are removed for the test and put back afterwards, whatever happens.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class KubeVirtArrivalTests(ClusterFixture cluster, KubeMacPoolServiceFixture fixture)
    : IClassFixture<KubeMacPoolServiceFixture>, IAsyncLifetime
{
    private static readonly string[] KubeVirtCrds = ["virtualmachines.kubevirt.io", "virtualmachineinstances.kubevirt.io"];
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    private KubeMacPoolService Service => fixture.Service;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task Without_kubevirt_pods_are_served_and_the_vm_side_starts_when_kubevirt_appears()
    {
        var saved = await RemoveKubeVirtAsync();
        try
        {
            await Service.RestartAsync();
            Assert.Contains("KubeVirt (kubevirt.io/v1) is not installed", Service.LogTail(300), StringComparison.Ordinal);

            var ns = await _k.CreateNamespaceAsync();
            var pod = await _k.CreatePodAsync(ns.Name, TestCluster.NewPod("before-kubevirt", annotations: new Dictionary<string, string>
            {
                ["k8s.v1.cni.cncf.io/networks"] = """[{"name":"br"}]""",
            }));
            var element = JsonNode.Parse(pod.Metadata.Annotations["k8s.v1.cni.cncf.io/networks"])![0]!;
            Assert.StartsWith("02:00:00:", element["mac"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            await RestoreAsync(saved);
        }

        await _k.EventuallyAsync(
            () => Task.FromResult(Service.LogTail(300).Contains("KubeVirt appeared", StringComparison.Ordinal)),
            "the manager to notice KubeVirt", TimeSpan.FromSeconds(60));

        const string mac = "02:00:00:00:ab:01";
        var vmNamespace = await _k.CreateNamespaceAsync();
        // The restart above began a leader handover: until its settle period ends, a requested MAC in the span the
        // previous process may have handed out is refused with "retry in a few seconds", which is what a client does.
        JsonObject? first = null;
        await _k.EventuallyAsync(async () =>
        {
            try
            {
                first = await _k.CreateVirtualMachineAsync(vmNamespace.Name, Vms.Bridged("first", ("br1", mac)));
                return true;
            }
            catch (Exception e) when (e.Message.Contains(MacPool.HandoverGuardError, StringComparison.Ordinal))
            {
                return false;
            }
        }, "the handover settle period to end", TimeSpan.FromSeconds(30));
        Assert.Equal(mac, Vms.Macs(first!)[0]);

        // Only the VM controller (started on KubeVirt's arrival) releases a deleted VM's MAC; no heal loop runs
        // without it either, so reuse proves the VM side is live.
        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachines, vmNamespace.Name, "first");
        await _k.EventuallyAsync(async () =>
        {
            try
            {
                await _k.CreateVirtualMachineAsync(vmNamespace.Name, Vms.Bridged("second", ("br1", mac)));
                return true;
            }
            catch (Exception e) when (e.Message.Contains("failed to allocate", StringComparison.Ordinal))
            {
                return false;
            }
        }, "the deleted VM's MAC to be reusable", TimeSpan.FromSeconds(30));
    }

    private async Task<List<V1CustomResourceDefinition>> RemoveKubeVirtAsync()
    {
        var saved = new List<V1CustomResourceDefinition>();
        foreach (var name in KubeVirtCrds)
        {
            var crd = await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name);
            saved.Add(crd);
            await cluster.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(name);
        }

        await _k.EventuallyAsync(async () =>
        {
            var groups = await cluster.Client.Apis.GetAPIVersionsAsync();
            return groups.Groups.All(g => g.Name != "kubevirt.io");
        }, "kubevirt.io to leave API discovery", TimeSpan.FromSeconds(60));
        return saved;
    }

    private async Task RestoreAsync(List<V1CustomResourceDefinition> saved)
    {
        foreach (var crd in saved)
        {
            crd.Metadata = new V1ObjectMeta { Name = crd.Metadata.Name, Labels = crd.Metadata.Labels, Annotations = crd.Metadata.Annotations };
            crd.Status = null;
            try
            {
                await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // Already back (a retry of this cleanup).
            }
        }

        await _k.EventuallyAsync(async () =>
        {
            foreach (var crd in saved)
            {
                var current = await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name);
                if (current.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") != true)
                {
                    return false;
                }
            }

            // Established is not yet served on a loaded API server (a create can still get 404 for a moment), and
            // the next test creates VMs at once.
            try
            {
                await _k.ListCustomObjectsAsync(CustomResources.VirtualMachines, "default");
                await _k.ListCustomObjectsAsync(CustomResources.VirtualMachineInstances, "default");
                return true;
            }
            catch (KubernetesApiException e) when (e.Message.Contains("404", StringComparison.Ordinal))
            {
                return false;
            }
        }, "the kubevirt.io CRDs to be established and served again", TimeSpan.FromSeconds(60));
    }
}
