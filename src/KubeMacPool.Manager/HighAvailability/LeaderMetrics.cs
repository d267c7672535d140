using System.Diagnostics.Metrics;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Telemetry;

namespace KubeMacPool.Manager.HighAvailability;

/// <summary><c>kubemacpool_leader</c> (1 on the leader, 0 on a standby) and <c>kubemacpool_leader_transitions_total</c>.</summary>
internal sealed class LeaderMetrics
{
    public const string Leader = "kubemacpool_leader";
    public const string Transitions = "kubemacpool_leader_transitions_total";

    private readonly Counter<long> _transitions;

    public LeaderMetrics(IMeterFactory meters, Leadership leadership)
    {
        var meter = meters.Create(ManagerMetrics.MeterName);
        meter.CreateObservableGauge(Leader, () => leadership.IsLeader ? 1 : 0, description: "1 while this replica is the leader (allocates and writes), 0 while it stands by");
        _transitions = meter.CreateCounter<long>(Transitions, description: "Changes of leader this replica has seen, by how this replica's role changed");
    }

    public void RecordTransition(string role) => _transitions.Add(1, new KeyValuePair<string, object?>("role", role));
}
