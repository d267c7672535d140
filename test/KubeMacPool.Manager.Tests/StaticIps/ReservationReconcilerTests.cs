using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;
using KubeMacPool.Manager.StaticIps;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static KubeMacPool.Manager.Tests.StaticIps.DhcpModels;

namespace KubeMacPool.Manager.Tests.StaticIps;

/// <summary>
/// The reservation reconciler over fed informer caches and a recording API: frees before allocations, waiting
/// reservations woken by a freed address, pool statuses written once per change, replay on a pool spec change.
/// </summary>
public sealed class ReservationReconcilerTests : IDisposable
{
    private const string Tiny = "tiny";
    private const string Network = "ns/blue";

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingHandler _api = new();
    private readonly Informer<IpPool> _pools;
    private readonly Informer<IpReservation> _reservations;
    private readonly Informer<VirtualMachine> _vms;
    private readonly ReservationReconciler _reconciler;

    public ReservationReconcilerTests()
    {
        _pools = NewInformer<IpPool>();
        _reservations = NewInformer<IpReservation>();
        _vms = NewInformer<VirtualMachine>();
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }, _api);
        var state = new IpamState();
        var api = new ReservationApi(client);
        var cache = new ReservationCache(_reservations);
        _reconciler = new ReservationReconciler(
            state, api, _pools, cache, _vms,
            new ReservationStatusWriter(state, api, new EventRecorder(client, _time, NullLogger<EventRecorder>.Instance), _vms, _time, NullLogger<ReservationStatusWriter>.Instance),
            new PoolStatusWriter(state, api, _pools, _time, NullLogger<PoolStatusWriter>.Instance),
            new VirtualMachineReservations(state, api, cache, _vms, NullLogger<VirtualMachineReservations>.Instance),
            _time, NullLogger<ReservationReconciler>.Instance);
    }

    public void Dispose()
    {
        _reconciler.Dispose();
        _pools.Dispose();
        _reservations.Dispose();
        _vms.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task An_address_held_by_a_reservation_being_deleted_serves_a_waiting_one_first_time()
    {
        var waiting = NewReservation("b.net1", Network, "02:00:00:00:00:02");
        await ListAsync([OneAddressPool()], [Holder(), waiting]);

        // Both change in one burst and the waiting one's key comes first: the free still goes before its allocation.
        await ((IResourceEventHandler<IpReservation>)_reservations).OnEventAsync(WatchEventType.Modified, Deleting(Holder()), _ct);
        Assert.Equal(ReconcileResult.Done, await _reconciler.ReconcileAsync("reservation:ns/b.net1", _ct));
        var status = Assert.Single(_api.StatusWrites("ipreservations/b.net1"));
        Assert.Equal("10.0.0.2", status["address"]!.GetValue<string>());

        Assert.Equal(ReconcileResult.Done, await _reconciler.ReconcileAsync("reservation:ns/a.net1", _ct));
        Assert.Single(_api.Requests, r => r.Method == "PATCH" && r.Path.EndsWith("/ipreservations/a.net1", StringComparison.Ordinal));
        Assert.Empty(_api.StatusWrites("ipreservations/a.net1"));
    }

    [Fact]
    public async Task Reservations_being_deleted_hold_nothing_after_a_replay()
    {
        var waiting = NewReservation("b.net1", Network, "02:00:00:00:00:02");
        await ListAsync([OneAddressPool()], [Deleting(Holder()), waiting]);

        await _reconciler.ReconcileAsync("reservation:ns/b.net1", _ct);
        Assert.Equal("10.0.0.2", Assert.Single(_api.StatusWrites("ipreservations/b.net1"))["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_freed_address_wakes_the_reservations_waiting_for_one_and_the_pool()
    {
        var waiting = NewReservation("b.net1", Network, "02:00:00:00:00:02");
        await ListAsync([OneAddressPool()], [Holder(), waiting]);
        await _reconciler.ReconcileAsync("reservation:ns/b.net1", _ct);
        Assert.Equal("PoolExhausted", Assert.Single(_api.StatusWrites("ipreservations/b.net1"))["conditions"]![0]!["reason"]!.GetValue<string>());
        await DrainAsync();

        await ((IResourceEventHandler<IpReservation>)_reservations).OnEventAsync(WatchEventType.Deleted, Holder(), _ct);
        await _reconciler.ReconcileAsync("reservation:ns/a.net1", _ct);
        Assert.Equal(["pool:tiny", "reservation:ns/b.net1"], (await DrainAsync()).Order(StringComparer.Ordinal));

        await _reconciler.ReconcileAsync("reservation:ns/b.net1", _ct);
        Assert.Equal("10.0.0.2", _api.StatusWrites("ipreservations/b.net1")[^1]["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pool_status_is_written_once_per_change_and_not_for_its_own_echo()
    {
        await ListAsync([OneAddressPool()], []);
        await _reconciler.ReconcileAsync("pool:tiny", _ct);
        await _reconciler.ReconcileAsync("pool:tiny", _ct);
        var written = Assert.Single(_api.StatusWrites("ippools/tiny"));
        Assert.Equal(1, written["available"]!.GetValue<long>());

        // The watch brings our write back (same generation): no replay, no second write.
        var echo = OneAddressPool();
        echo.Status = KubernetesJson.Deserialize<IpPoolStatus>(written.ToJsonString());
        await ((IResourceEventHandler<IpPool>)_pools).OnEventAsync(WatchEventType.Modified, echo, _ct);
        await _reconciler.ReconcileAsync("pool:tiny", _ct);
        Assert.Single(_api.StatusWrites("ippools/tiny"));
        Assert.Empty(await DrainAsync());
    }

    [Fact]
    public async Task A_pool_spec_change_replays_the_state_and_looks_at_every_key_again()
    {
        var waiting = NewReservation("b.net1", Network, "02:00:00:00:00:02");
        var vm = new VirtualMachine { Metadata = new V1ObjectMeta { Name = "other", NamespaceProperty = "ns" } };
        await ListAsync([OneAddressPool()], [waiting], [vm]);

        var grown = OneAddressPool();
        grown.Metadata.Generation = 2;
        grown.Spec.Range!.End = "10.0.0.5";
        await ((IResourceEventHandler<IpPool>)_pools).OnEventAsync(WatchEventType.Modified, grown, _ct);
        await _reconciler.ReconcileAsync("pool:tiny", _ct);

        Assert.Empty(_api.StatusWrites("ippools/tiny"));
        Assert.Equal(["pool:tiny", "reservation:ns/b.net1", "vm:ns/b", "vm:ns/other"], (await DrainAsync()).Order(StringComparer.Ordinal));
        await _reconciler.ReconcileAsync("pool:tiny", _ct);
        Assert.Equal(4, Assert.Single(_api.StatusWrites("ippools/tiny"))["available"]!.GetValue<long>());
    }

    private static IpPool OneAddressPool()
    {
        var pool = NewPool(Tiny, Network, "10.0.0.0/29", "10.0.0.1", "10.0.0.2", "10.0.0.2");
        pool.Metadata.Uid = "pool-uid";
        return pool;
    }

    /// <summary>A reservation allocated the tiny pool's one address (a new instance each time: cached objects are never edited).</summary>
    private static IpReservation Holder() =>
        Allocated(NewReservation("a.net1", Network, "02:00:00:00:00:01", pool: Tiny, address: "10.0.0.2", age: 5));

    private static IpReservation Allocated(IpReservation reservation)
    {
        reservation.Status!.Conditions = [new V1Condition { Type = IpReservation.AllocatedCondition, Status = "True", Reason = "Allocated" }];
        return reservation;
    }

    private static IpReservation Deleting(IpReservation reservation)
    {
        reservation.Metadata.DeletionTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        reservation.Metadata.Finalizers = [IpReservation.Finalizer];
        return reservation;
    }

    private Informer<T> NewInformer<T>()
        where T : IKubernetesObject<V1ObjectMeta> =>
        new(null!, null, false, NullLoggerFactory.Instance, _time);

    private async Task ListAsync(IReadOnlyList<IpPool> pools, IReadOnlyList<IpReservation> reservations, IReadOnlyList<VirtualMachine>? vms = null)
    {
        await ((IResourceEventHandler<IpPool>)_pools).OnListedAsync(pools, _ct);
        await ((IResourceEventHandler<IpReservation>)_reservations).OnListedAsync(reservations, _ct);
        await ((IResourceEventHandler<VirtualMachine>)_vms).OnListedAsync(vms ?? [], _ct);
        _reconciler.Replay();
    }

    /// <summary>Takes every key waiting in the queue.</summary>
    private async Task<List<string>> DrainAsync()
    {
        var keys = new List<string>();
        while (_reconciler.Queue.Count > 0)
        {
            var key = await _reconciler.Queue.TakeAsync(_ct);
            _reconciler.Queue.Done(key);
            keys.Add(key);
        }

        return keys;
    }

    private sealed class RecordingHandler : DelegatingHandler
    {
        public List<(string Method, string Path, string Body)> Requests { get; } = [];

        public List<JsonNode> StatusWrites(string resource) =>
            [.. Requests.Where(r => r.Method == "PATCH" && r.Path.EndsWith("/" + resource + "/status", StringComparison.Ordinal))
                .Select(r => JsonNode.Parse(r.Body)![0]!["value"]!)];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method.Method, request.RequestUri!.AbsolutePath, body));
            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        }
    }
}
