using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>Recognises KubeVirt's virt-launcher pods and the VMI they run.</summary>
public static class VirtLauncher
{
    public const string VirtualMachineInstanceKind = "VirtualMachineInstance";

    /// <summary>
    /// The name of the VMI that owns a pod (an owner reference of kind VirtualMachineInstance, any API version, as
    /// upstream), or null.
    /// </summary>
    public static string? FindVmiOwnerName(IEnumerable<(string? Kind, string? Name)>? ownerReferences) =>
        ownerReferences?.FirstOrDefault(r => r.Kind == VirtualMachineInstanceKind && !string.IsNullOrEmpty(r.Name)).Name;

    /// <summary>The same, from a pod's raw JSON (<c>metadata.ownerReferences</c>).</summary>
    public static string? FindVmiOwnerName(JsonObject pod)
    {
        try
        {
            return JsonNav.Path(pod, "metadata", "ownerReferences") is JsonArray references
                ? FindVmiOwnerName(references.OfType<JsonObject>().Select(r => (Text(r["kind"]), Text(r["name"]))))
                : null;
        }
        catch (ArgumentException)
        {
            return null; // a duplicate key in the object
        }
    }

    /// <summary>Whether the pod's labels carry <c>kubevirt.io=virt-launcher</c>.</summary>
    public static bool IsVirtLauncher(IEnumerable<KeyValuePair<string, string>>? labels) =>
        labels?.Any(l => l.Key == WellKnown.KubeVirtLabel && l.Value == WellKnown.VirtLauncherValue) ?? false;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
