using k8s;

namespace KubeMacPool.Manager.Kubernetes;

/// <summary>Whether KubeVirt's API (kubevirt.io/v1) is served, by API discovery.</summary>
internal sealed class KubeVirtDiscovery(IKubernetes client)
{
    public async Task<bool> IsInstalledAsync(CancellationToken cancellationToken)
    {
        var groups = await client.Apis.GetAPIVersionsAsync(cancellationToken);
        return groups.Groups?.Any(g => g.Name == "kubevirt.io" && g.Versions.Any(v => v.Version == "v1")) == true;
    }
}
