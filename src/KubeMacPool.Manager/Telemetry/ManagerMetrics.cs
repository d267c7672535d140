using System.Diagnostics.Metrics;
using KubeMacPool.Core.Collisions;
using KubeMacPool.Core.Pool;

namespace KubeMacPool.Manager.Telemetry;

/// <summary>
/// The service's instruments (OpenTelemetry API: System.Diagnostics.Metrics). The two upstream series keep
/// upstream's names; ours are prefixed <c>kubemacpool_</c>. Observable instruments read the pool and the collision
/// map at collection time, so nothing is counted twice and nothing goes stale.
/// </summary>
internal sealed class ManagerMetrics
{
    public const string MeterName = "KubeMacPool";

    /// <summary>The ActivitySource of admission requests (one Activity each), exported over OTLP when that is on.</summary>
    public const string AdmissionActivitySource = "KubeMacPool.Admission";
    public const string Collisions = "kmp_mac_collisions";
    public const string DuplicateMacs = "kubevirt_kmp_duplicate_macs";
    public const string PoolSize = "kubemacpool_pool_size";
    public const string MacsHeld = "kubemacpool_macs_held";
    public const string PendingReservations = "kubemacpool_pending_reservations";
    public const string MacsReserved = "kubemacpool_macs_reserved";
    public const string MacsFree = "kubemacpool_macs_free";
    public const string Allocations = "kubemacpool_mac_allocations_total";
    public const string Denials = "kubemacpool_admission_denials_total";
    public const string AdmissionDuration = "kubemacpool_admission_duration_seconds";
    public const string RebuildDuration = "kubemacpool_rebuild_duration_seconds";

    /// <summary>Admission latency buckets in seconds: a webhook answers in well under a millisecond to a few seconds.</summary>
    public static readonly IReadOnlyList<double> AdmissionBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _admissionDuration;
    private readonly Counter<long> _denials;
    private double? _rebuildSeconds;
    private long _duplicatesAtRebuild;

    public ManagerMetrics(IMeterFactory meters, MacPool pool, CollisionMap collisions)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(
            Collisions,
            () => collisions.Snapshot().Select(c => new Measurement<int>(c.Objects, new KeyValuePair<string, object?>("mac", c.Mac.ToString()))),
            description: "Number of running objects sharing a MAC address (only MACs that collide)");
        meter.CreateObservableCounter(
            DuplicateMacs,
            () => DuplicatesAtRebuild,
            description: "[DEPRECATED] Total count of duplicate KubeMacPool MAC addresses");
        meter.CreateObservableGauge(PoolSize, () => checked((long)pool.AllocatorFigures().RangeSize), description: "Addresses in the configured MAC range");
        meter.CreateObservableGauge(MacsHeld, () => (long)pool.HeldCount, description: "Distinct MAC addresses held by managed objects");
        meter.CreateObservableGauge(MacsReserved, () => checked((long)pool.Usage().ReservedInRange), description: "Addresses of the range reserved (RESERVED_MACS), never allocated");
        meter.CreateObservableGauge(MacsFree, () => checked((long)pool.Usage().Free), description: "Addresses of the range neither held nor reserved");
        meter.CreateObservableGauge(PendingReservations, () => (long)pool.PendingCount, description: "Reservations waiting for their object to be persisted");
        meter.CreateObservableCounter<long>(
            Allocations,
            () =>
            {
                var (allocated, requested) = pool.ReservationCounts;
                return (Measurement<long>[])[new Measurement<long>(allocated, new KeyValuePair<string, object?>("source", "range")),
                        new Measurement<long>(requested, new KeyValuePair<string, object?>("source", "requested"))];
            },
            description: "MAC addresses reserved by admitted requests: allocated from the range, or requested by the user");
        meter.CreateObservableGauge(
            RebuildDuration,
            () => _rebuildSeconds is { } s ? [new Measurement<double>(s)] : Array.Empty<Measurement<double>>(),
            unit: "s",
            description: "How long the last rebuild of the pool from the cluster took");
        _denials = meter.CreateCounter<long>(Denials, description: "Admission requests denied, by webhook and reason");
        _admissionDuration = meter.CreateHistogram(
            AdmissionDuration,
            unit: "s",
            description: "Time to answer an admission request",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AdmissionBuckets });
    }

    public void RecordAdmission(string webhook, TimeSpan elapsed, string? denialReason)
    {
        var tag = new KeyValuePair<string, object?>("webhook", webhook);
        _admissionDuration.Record(elapsed.TotalSeconds, tag);
        if (denialReason is not null)
        {
            _denials.Add(1, tag, new KeyValuePair<string, object?>("reason", denialReason));
        }
    }

    /// <summary>MACs found held by two VMs at the last rebuild (upstream's kubevirt_kmp_duplicate_macs).</summary>
    public long DuplicatesAtRebuild => Interlocked.Read(ref _duplicatesAtRebuild);

    public void RecordRebuild(TimeSpan elapsed) => _rebuildSeconds = elapsed.TotalSeconds;

    public void RecordDuplicatesAtRebuild(long duplicates) => Interlocked.Exchange(ref _duplicatesAtRebuild, duplicates);
}
