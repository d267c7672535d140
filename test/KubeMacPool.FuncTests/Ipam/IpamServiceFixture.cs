using k8s;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Ipam;

/// <summary>
/// The real manager (all its mutating webhooks, the launcher-pod one included) after making sure the IPAMClaim CRD is
/// served: cluster/up.sh installs hack/crds, and a cluster started before that file existed gets it here.
/// </summary>
public sealed class IpamServiceFixture(ClusterFixture cluster) : IAsyncLifetime
{
    public KubeMacPoolService Service { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(cluster.IsLocal, "the manager runs as a process on 127.0.0.1, which only the local control plane can call");
        var crd = Path.Combine(RepositoryPaths.Locate().Root, "hack", "crds", "ipamclaims.yaml");
        var applied = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "apply", "-f", crd], TimeSpan.FromMinutes(1));
        Assert.True(applied.Succeeded, applied.Describe());
        await Eventually.TrueAsync(async () =>
        {
            var established = await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("ipamclaims.k8s.cni.cncf.io");
            return established.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
        }, "the IPAMClaim CRD is established");
        Service = await KubeMacPoolService.StartAsync(cluster, waitTimeSeconds: 5);
    }

    public async ValueTask DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }
}
