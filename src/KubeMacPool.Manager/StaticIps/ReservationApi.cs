using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// The writes of the reservation controller. Each is targeted (a JSON patch of the fields it owns, a status
/// subresource write) and tolerates the object being gone already.
/// </summary>
internal sealed class ReservationApi(IKubernetes client)
{
    public async Task CreateAsync(VirtualMachine vm, DesiredReservation desired, CancellationToken cancellationToken)
    {
        var reservation = new IpReservation
        {
            Metadata = new V1ObjectMeta
            {
                Name = desired.Name,
                NamespaceProperty = vm.Metadata.NamespaceProperty,
                Finalizers = [IpReservation.Finalizer],
                Labels = new Dictionary<string, string> { ["kubevirt.io/vm"] = ObjectPatches.LabelValue(vm.Metadata.Name) },
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = vm.ApiVersion,
                        Kind = vm.Kind,
                        Name = vm.Metadata.Name,
                        Uid = vm.Metadata.Uid,
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = ToSpec(vm.Metadata.Name, desired),
        };
        try
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(
                reservation, IpPool.Group, IpPool.Version, vm.Metadata.NamespaceProperty, IpReservation.Plural,
                cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier pass whose watch event has not arrived yet; that event brings it.
        }
    }

    public Task UpdateSpecAsync(IpReservation reservation, string vmName, DesiredReservation desired, CancellationToken cancellationToken)
    {
        var spec = ToSpec(vmName, desired);
        var patch = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = reservation.Metadata.ResourceVersion },
            new JsonObject { ["op"] = "add", ["path"] = "/spec", ["value"] = JsonNode.Parse(KubernetesJson.Serialize(spec)) });
        return ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), IpPool.Group, IpPool.Version,
            reservation.Metadata.NamespaceProperty, IpReservation.Plural, reservation.Metadata.Name, cancellationToken: cancellationToken));
    }

    public Task DeleteAsync(IpReservation reservation, CancellationToken cancellationToken) =>
        ObjectPatches.IgnoreNotFound(client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            IpPool.Group, IpPool.Version, reservation.Metadata.NamespaceProperty, IpReservation.Plural, reservation.Metadata.Name,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = reservation.Metadata.Uid } },
            cancellationToken: cancellationToken));

    /// <summary>Removes our finalizer only if the list is still what we saw (a JSON patch test), else 422 and a retry.</summary>
    public Task RemoveFinalizerAsync(IpReservation reservation, CancellationToken cancellationToken) =>
        ObjectPatches.RemoveFinalizer(reservation.Metadata, IpReservation.Finalizer) is { } patch
            ? ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchNamespacedCustomObjectAsync(
                patch, IpPool.Group, IpPool.Version, reservation.Metadata.NamespaceProperty, IpReservation.Plural,
                reservation.Metadata.Name, cancellationToken: cancellationToken))
            : Task.CompletedTask;

    public Task WriteStatusAsync(IpReservation reservation, IpReservationStatus status, CancellationToken cancellationToken)
    {
        var patch = new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/status", ["value"] = JsonNode.Parse(KubernetesJson.Serialize(status)) });
        return ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), IpPool.Group, IpPool.Version,
            reservation.Metadata.NamespaceProperty, IpReservation.Plural, reservation.Metadata.Name, cancellationToken: cancellationToken));
    }

    public Task WritePoolStatusAsync(string pool, IpPoolStatus status, CancellationToken cancellationToken)
    {
        var patch = new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/status", ["value"] = JsonNode.Parse(KubernetesJson.Serialize(status)) });
        return ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), IpPool.Group, IpPool.Version, IpPool.Plural, pool,
            cancellationToken: cancellationToken));
    }

    private static IpReservationSpec ToSpec(string vmName, DesiredReservation desired) => new()
    {
        VirtualMachine = vmName,
        Interface = desired.Interface,
        Network = desired.Network,
        MacAddress = desired.MacAddress,
        IpAddress = desired.PinnedIp,
    };
}
