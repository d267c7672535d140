using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Client;

/// <summary>Metadata writes shared by the controllers that label and finalize objects (legacy VM finalizer, reservations, claims).</summary>
internal static class ObjectPatches
{
    public const int MaxLabelValueLength = 63;

    /// <summary>
    /// A name as a label value (at most 63 characters, ending alphanumeric), e.g. <c>kubevirt.io/vm</c> on the objects
    /// made for a VM; a longer name is cut, so lookups by label must cut the same way.
    /// </summary>
    public static string LabelValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length <= MaxLabelValueLength ? name : name[..MaxLabelValueLength].TrimEnd('-', '.', '_');
    }

    /// <summary>
    /// A JSON patch that removes <paramref name="finalizer"/> only if it is still where we saw it (a <c>test</c> op: the
    /// API answers 422 when the list changed meanwhile, and the caller reads again); null when the object does not carry it.
    /// </summary>
    public static V1Patch? RemoveFinalizer(V1ObjectMeta metadata, string finalizer)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var index = metadata.Finalizers?.IndexOf(finalizer) ?? -1;
        if (index < 0)
        {
            return null;
        }

        var patch = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = $"/metadata/finalizers/{index}", ["value"] = finalizer },
            new JsonObject { ["op"] = "remove", ["path"] = $"/metadata/finalizers/{index}" });
        return new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch);
    }

    /// <summary>Runs a write for which the object being gone already is the wanted outcome.</summary>
    public static async Task IgnoreNotFound(Task call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
