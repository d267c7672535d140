using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>One entry of a VMI's <c>status.interfaces</c>; either part may be missing.</summary>
public sealed record VmiInterfaceStatus(string? Name, string? Mac);

/// <summary>
/// What the collision checks read from a VirtualMachineInstance's status. Status is written by KubeVirt, not
/// users, so reading is lenient: a part of the wrong shape reads as absent instead of failing the object.
/// </summary>
public sealed record VirtualMachineInstanceStatusView(
    string? Phase, IReadOnlyList<VmiInterfaceStatus> Interfaces, string? SourceMigrationUid, string? TargetMigrationUid)
{
    public const string RunningPhase = "Running";

    public bool IsRunning => Phase == RunningPhase;

    /// <summary>The non-empty MACs of <c>status.interfaces</c>, verbatim, in order.</summary>
    public IReadOnlyList<string> Macs => Interfaces.Select(i => i.Mac).OfType<string>().ToList();

    /// <summary>Reads a whole VMI object (its <c>status</c>).</summary>
    public static VirtualMachineInstanceStatusView Read(JsonObject vmi)
    {
        try
        {
            return ReadStatus(JsonNav.Child(vmi, "status"));
        }
        catch (ArgumentException)
        {
            return ReadStatus(null); // a duplicate key in the object
        }
    }

    /// <summary>Reads a VMI's <c>status</c> (null when it has none).</summary>
    public static VirtualMachineInstanceStatusView ReadStatus(JsonNode? status)
    {
        try
        {
            var interfaces = JsonNav.Child(status, "interfaces") is JsonArray list
                ? list.OfType<JsonObject>().Select(i => new VmiInterfaceStatus(Text(i["name"]), Text(i["mac"]))).ToList()
                : [];
            return new VirtualMachineInstanceStatusView(
                Text(JsonNav.Child(status, "phase")), interfaces,
                Text(JsonNav.Path(status, "migrationState", "sourceState", "migrationUID")),
                Text(JsonNav.Path(status, "migrationState", "targetState", "migrationUID")));
        }
        catch (ArgumentException)
        {
            return new VirtualMachineInstanceStatusView(null, [], null, null); // a duplicate key in the object
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text ? text : null;
}
