using KubeMacPool.Core.Addressing;
using KubeMacPool.Manager.Kubernetes.Client;

namespace KubeMacPool.Manager.Collisions;

/// <summary>What the collision checks keep of a VMI or pod: enough to re-decide when namespace opt modes change.</summary>
internal sealed record ObservedObject(
    string Key,
    EventTarget Target,
    bool Running,
    IReadOnlySet<MacAddress> Macs,
    string? SourceMigrationUid = null,
    string? TargetMigrationUid = null)
{
    public string Namespace => Target.Namespace;

    public string? Uid => Target.Uid;
}
