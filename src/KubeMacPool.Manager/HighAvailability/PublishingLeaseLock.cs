using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Manager.HighAvailability;

/// <summary>What a replica read on the Lease: the holder, where it serves, its allocation cursor, and whether it released the Lease.</summary>
internal sealed record LeaseView(string? Holder, string? LeaderUrl, MacAddress? Cursor, bool Released);

/// <summary>
/// The client library's LeaseLock, plus three annotations written with every acquire and renew (the leader's URL and
/// allocation cursor, the release mark) and read back with every observation, so a standby knows where to forward and
/// where a successor must start allocating, without another object or another request.
/// </summary>
internal sealed class PublishingLeaseLock(
    IKubernetes client, string @namespace, string name, string identity, Func<(string Url, MacAddress Cursor)> publish, Action<LeaseView> observed)
    : LeaseLock(client, @namespace, name, identity)
{
    protected override V1Lease SetLeaderElectionRecord(LeaderElectionRecord record, V1Lease metaObj)
    {
        var lease = base.SetLeaderElectionRecord(record, metaObj);
        lease.Metadata ??= new V1ObjectMeta();
        lease.Metadata.Annotations ??= new Dictionary<string, string>();
        var (url, cursor) = publish();
        lease.Metadata.Annotations[WellKnown.LeaderUrlAnnotation] = url;
        lease.Metadata.Annotations[WellKnown.AllocationCursorAnnotation] = cursor.ToString();
        if (string.IsNullOrEmpty(record.HolderIdentity))
        {
            lease.Metadata.Annotations[WellKnown.ReleasedAnnotation] = "true";
        }
        else
        {
            lease.Metadata.Annotations.Remove(WellKnown.ReleasedAnnotation);
        }

        return lease;
    }

    protected override LeaderElectionRecord GetLeaderElectionRecord(V1Lease obj)
    {
        var record = base.GetLeaderElectionRecord(obj);
        observed(Read(obj));
        return record;
    }

    /// <summary>The published fields; anything missing or garbled reads as absent (a Lease written by someone else).</summary>
    public static LeaseView Read(V1Lease lease)
    {
        var annotations = lease.Metadata?.Annotations;
        string? Get(string key) => annotations is not null && annotations.TryGetValue(key, out var v) ? v : null;
        var url = Get(WellKnown.LeaderUrlAnnotation);
        return new LeaseView(
            string.IsNullOrEmpty(lease.Spec?.HolderIdentity) ? null : lease.Spec.HolderIdentity,
            Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme == Uri.UriSchemeHttps ? url : null,
            MacAddress.TryParse(Get(WellKnown.AllocationCursorAnnotation), out var cursor) ? cursor : null,
            Get(WellKnown.ReleasedAnnotation) == "true");
    }
}
