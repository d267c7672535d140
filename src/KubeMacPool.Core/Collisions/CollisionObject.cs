using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Collisions;

/// <summary>
/// A running object that holds MACs, as the collision checks see it. <paramref name="Key"/> names it for users
/// (<c>vmi/&lt;ns&gt;/&lt;name&gt;</c>, <c>pod/&lt;ns&gt;/&lt;name&gt;</c>); the migration UIDs come from a VMI's
/// <c>status.migrationState</c> and are null for pods.
/// </summary>
public sealed record CollisionObject(
    string Key, IReadOnlySet<MacAddress> Macs, string? SourceMigrationUid = null, string? TargetMigrationUid = null)
{
    public static string VirtualMachineInstanceKey(string @namespace, string name) => $"vmi/{@namespace}/{name}";

    public static string PodKey(string @namespace, string name) => $"pod/{@namespace}/{name}";

    /// <summary>
    /// Source and target of one live migration hold the same MACs on purpose: they share a non-empty source or a
    /// non-empty target migration UID (as upstream decides it for decentralized, cross-namespace migration).
    /// </summary>
    public bool SharesMigrationWith(CollisionObject other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (SourceMigrationUid is { Length: > 0 } source && source == other.SourceMigrationUid)
            || (TargetMigrationUid is { Length: > 0 } target && target == other.TargetMigrationUid);
    }
}
