using k8s;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// Writes an IPPool's status summary from <see cref="IpamState"/>, only when it differs from what was last written
/// (or, before any write, from what the pool shows): the pool event of our own write, or a reservation pass that
/// changed nothing, writes nothing. The agent part of the status (<c>status.agent</c>, <c>AgentReady</c>) belongs to
/// the agent controller: it is neither compared nor changed here, only carried over.
/// </summary>
internal sealed class PoolStatusWriter(IpamState state, ReservationApi api, Informer<IpPool> pools, TimeProvider time, ILogger<PoolStatusWriter> logger)
{
    private const string ReadyCondition = "Ready";

    // Our last write per pool, also the Ready condition's previous state: the cache may not show that write yet.
    private readonly Dictionary<string, (string? Uid, IpPoolStatus Status, string Json)> _written = new(StringComparer.Ordinal);

    /// <summary>Forgets what was written to pools that are gone or were re-created under their name.</summary>
    public void Retain(IReadOnlyList<IpPool> current)
    {
        var uids = current.ToDictionary(p => p.Metadata.Name, p => p.Metadata.Uid, StringComparer.Ordinal);
        foreach (var (name, written) in _written.ToList())
        {
            if (!uids.TryGetValue(name, out var uid) || uid != written.Uid)
            {
                _written.Remove(name);
            }
        }
    }

    /// <returns>False when the write failed (logged).</returns>
    public async Task<bool> WriteAsync(string poolName, CancellationToken cancellationToken)
    {
        if (state.Snapshot(poolName) is not { } snapshot)
        {
            return true;
        }

        var shown = pools.Cache.Get(poolName)?.Status ?? snapshot.Pool.Status;
        var written = _written.TryGetValue(poolName, out var w) && w.Uid == snapshot.Pool.Metadata.Uid ? w : default;
        var previous = (written.Status ?? shown)?.Conditions?.FirstOrDefault(c => c.Type == ReadyCondition);
        var valid = snapshot.Validation.IsValid;
        var status = new IpPoolStatus
        {
            ObservedGeneration = snapshot.Pool.Metadata.Generation,
            Allocated = snapshot.Allocated.ToDictionary(
                a => a.Key, a => new IpPoolAllocation { Mac = a.Value.Mac, Reservation = a.Value.Reservation }, StringComparer.Ordinal),
            Excluded = [.. snapshot.Excluded],
            Used = snapshot.Used,
            Available = snapshot.Available,
            Conditions =
            [
                GuardedWrite.Condition(ReadyCondition, valid, valid ? "Valid" : "InvalidSpec",
                    valid ? string.Join("; ", snapshot.Validation.Notes.DefaultIfEmpty("the pool is valid")) : snapshot.Validation.ErrorMessage,
                    previous, snapshot.Pool.Metadata.Generation, time),
            ],
        };
        var json = KubernetesJson.Serialize(status);
        if (json == (written.Json ?? (shown is null ? null : KubernetesJson.Serialize(Owned(shown)))))
        {
            return true;
        }

        // The agent controller owns status.agent and its condition: they go back as the cache shows them. A stale copy
        // is corrected by that controller on the pool's next event (it compares with the cache, not with its last write).
        status.Agent = shown?.Agent;
        foreach (var other in shown?.Conditions?.Where(c => c.Type != ReadyCondition) ?? [])
        {
            status.Conditions.Add(other);
        }

        if (!await GuardedWrite.TryAsync(api.WritePoolStatusAsync(poolName, status, cancellationToken), "IPPool " + poolName, logger, cancellationToken))
        {
            return false;
        }

        _written[poolName] = (snapshot.Pool.Metadata.Uid, status, json);
        return true;
    }

    /// <summary>Just the fields this writer owns, to compare with what it would write.</summary>
    private static IpPoolStatus Owned(IpPoolStatus status) => new()
    {
        ObservedGeneration = status.ObservedGeneration,
        Allocated = status.Allocated,
        Excluded = status.Excluded,
        Used = status.Used,
        Available = status.Available,
        Conditions = status.Conditions?.Where(c => c.Type == ReadyCondition).ToList(),
    };
}
