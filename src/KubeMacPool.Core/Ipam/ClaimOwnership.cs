namespace KubeMacPool.Core.Ipam;

/// <summary>Whose claims are whose: the owner a new claim gets and whether an existing claim may be used.</summary>
public static class ClaimOwnership
{
    /// <summary>
    /// The VM when there is one (the claim then outlives stop/start and VMI re-creation), else the VMI (a standalone VMI:
    /// its claim lives as long as it does).
    /// </summary>
    public static bool OwnedByVm(ObjectState vm) => vm != ObjectState.Absent;

    /// <summary>
    /// An existing claim is ours only when its single owner reference is <paramref name="ownerUid"/>. Anything else (no
    /// owner, another owner, several) is a claim leaked from an earlier object of that name or made by someone else: it is
    /// never adopted, because its IPs may still be in use elsewhere.
    /// </summary>
    public static bool IsOwnedBy(IReadOnlyCollection<string?>? ownerUids, string? ownerUid) =>
        ownerUids is { Count: 1 } && ownerUid is { Length: > 0 } && ownerUids.First() == ownerUid;

    /// <summary>The Event message for a claim that is not ours (upstream's error text, then what to do).</summary>
    public static string ConflictMessage(string claimName) =>
        $"failed since it found an existing IPAMClaim for \"{claimName}\": it belongs to another object; "
        + "delete the claim if its IPs are no longer in use";
}
