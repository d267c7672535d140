using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.PersistentIps;

/// <summary>
/// The claim controller's writes: create a claim, set its MAC annotation, drop its finalizer. Each is targeted, and the
/// claim being gone already is not an error. Claims are never deleted here: the garbage collector does that.
/// </summary>
internal sealed class ClaimApi(IKubernetes client)
{
    /// <summary>Creates the claim; returns the existing one (as stored) when the name is taken, else null.</summary>
    public async Task<IpamClaim?> CreateAsync(string @namespace, string vmName, DesiredClaim desired, V1OwnerReference owner, CancellationToken cancellationToken)
    {
        var claim = new IpamClaim
        {
            Metadata = new V1ObjectMeta
            {
                Name = desired.ClaimName,
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string> { [IpamClaim.VmLabel] = ObjectPatches.LabelValue(vmName) },
                Annotations = desired.MacAddress is null ? null : new Dictionary<string, string> { [IpamClaim.MacAnnotation] = desired.MacAddress },
                Finalizers = [IpamClaim.Finalizer],
                OwnerReferences = [owner],
            },
            Spec = new IpamClaimSpec { Network = desired.Network, Interface = "" },
        };
        try
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(
                claim, IpamClaim.Group, IpamClaim.Version, @namespace, IpamClaim.Plural, cancellationToken: cancellationToken);
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<IpamClaim>(
                IpamClaim.Group, IpamClaim.Version, @namespace, IpamClaim.Plural, desired.ClaimName, cancellationToken);
        }
    }

    public Task SetMacAsync(IpamClaim claim, string mac, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [IpamClaim.MacAnnotation] = mac } },
        };
        return ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), IpamClaim.Group, IpamClaim.Version,
            claim.Metadata.NamespaceProperty, IpamClaim.Plural, claim.Metadata.Name, cancellationToken: cancellationToken));
    }

    /// <summary>Removes our finalizer only if the list is still what we saw (a JSON patch test); else 422 and a retry.</summary>
    public Task RemoveFinalizerAsync(IpamClaim claim, CancellationToken cancellationToken) =>
        ObjectPatches.RemoveFinalizer(claim.Metadata, IpamClaim.Finalizer) is { } patch
            ? ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchNamespacedCustomObjectAsync(
                patch, IpamClaim.Group, IpamClaim.Version, claim.Metadata.NamespaceProperty, IpamClaim.Plural, claim.Metadata.Name,
                cancellationToken: cancellationToken))
            : Task.CompletedTask;
}
