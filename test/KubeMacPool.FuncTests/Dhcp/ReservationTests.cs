using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>
/// Reservations for VM interfaces on pooled networks, against the real API server, garbage collector and manager:
/// created with an owner and a finalizer, stable across stop/start and restarts, released when the VM goes (also
/// while the manager was down), following MAC edits and interface removal, exhaustion reported and recovered.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class ReservationTests(ClusterFixture cluster, DhcpServiceFixture fixture)
    : IClassFixture<DhcpServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    private KubeMacPoolService Service => fixture.Service;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    /// <summary>A namespace with a pool on its network "pooled" (VM interfaces named "pooled" attach to it).</summary>
    private async Task<(string Ns, string Pool)> PooledNamespaceAsync(string cidr, string server, string? start = null, string? end = null)
    {
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        var pool = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(pool, ns + "/pooled", cidr, server, null, start, end));
        await Eventually.TrueAsync(async () => DhcpObjects.Condition(await _k.GetPoolAsync(pool), "Ready") == "True", "the pool is ready");
        return (ns, pool);
    }

    private Task<JsonObject> PoolWithAllocationsAsync(string pool, int count) =>
        Eventually.ValueAsync(
            () => _k.GetPoolAsync(pool),
            p => (p["status"]?["allocated"]?.AsObject().Count ?? 0) == count,
            $"pool {pool} lists {count} allocations",
            describe: p => p["status"]?.ToJsonString() ?? "(no status)");

    [Fact]
    public async Task A_vm_with_two_nics_gets_one_reservation_for_the_pooled_one_owned_by_the_vm()
    {
        var (ns, pool) = await PooledNamespaceAsync("10.50.0.0/24", "10.50.0.1");
        var vm = await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm", ("pooled", null), ("other", null)));
        var mac = Vms.Macs(vm)[0]!;

        var reservation = await _k.AllocatedReservationAsync(ns, "vm.pooled");
        Assert.Equal(mac, reservation["spec"]!["macAddress"]!.GetValue<string>());
        Assert.Equal(mac, reservation["status"]!["macAddress"]!.GetValue<string>());
        Assert.Equal(ns + "/pooled", reservation["spec"]!["network"]!.GetValue<string>());
        Assert.Equal(pool, reservation["status"]!["pool"]!.GetValue<string>());
        Assert.StartsWith("10.50.0.", DhcpObjects.Address(reservation), StringComparison.Ordinal);
        Assert.NotEqual("10.50.0.1", DhcpObjects.Address(reservation));
        var owner = reservation["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(vm["metadata"]!["uid"]!.GetValue<string>(), owner["uid"]!.GetValue<string>());
        Assert.True(owner["controller"]!.GetValue<bool>());
        Assert.Contains("kubemacpool.io/ip-reservation", reservation["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Single(await _k.ListCustomObjectsAsync(DhcpObjects.Reservations, ns));

        var status = await PoolWithAllocationsAsync(pool, 1);
        var entry = status["status"]!["allocated"]![DhcpObjects.Address(reservation)!]!;
        Assert.Equal(mac, entry["mac"]!.GetValue<string>());
        Assert.Equal(ns + "/vm.pooled", entry["reservation"]!.GetValue<string>());
        Assert.Equal(1, status["status"]!["used"]!.GetValue<long>());
    }

    [Fact]
    public async Task Stop_start_and_a_service_restart_keep_the_address_without_writes()
    {
        var (ns, _) = await PooledNamespaceAsync("10.51.0.0/24", "10.51.0.1");
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm", ("pooled", null)));
        var before = await _k.AllocatedReservationAsync(ns, "vm.pooled");

        foreach (var strategy in new[] { "Always", "Halted", "Always" })
        {
            await _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm",
                TestCluster.MergePatch(new JsonObject { ["spec"] = new JsonObject { ["runStrategy"] = strategy } }));
        }

        await Service.RestartAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await _k.AllocatedReservationAsync(ns, "vm.pooled");
        Assert.Equal(DhcpObjects.Address(before), DhcpObjects.Address(after));
        Assert.Equal(before["metadata"]!["resourceVersion"]!.GetValue<string>(), after["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_vm_deleted_while_the_service_is_stopped_is_released_after_restart()
    {
        var (ns, pool) = await PooledNamespaceAsync("10.52.0.0/24", "10.52.0.1");
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("gone", ("pooled", null)));
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("stays", ("pooled", null)));
        var stays = await _k.AllocatedReservationAsync(ns, "stays.pooled");
        await _k.AllocatedReservationAsync(ns, "gone.pooled");
        await PoolWithAllocationsAsync(pool, 2);

        await Service.StopAsync();
        try
        {
            await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachines, ns, "gone");

            // The garbage collector marks the reservation for deletion; only the finalizer keeps it.
            await Eventually.TrueAsync(
                async () => (await _k.TryGetCustomObjectAsync(DhcpObjects.Reservations, ns, "gone.pooled"))?["metadata"]?["deletionTimestamp"] is not null,
                "the orphaned reservation is being deleted");
        }
        finally
        {
            await Service.StartAsync();
        }

        await Eventually.TrueAsync(
            async () => await _k.TryGetCustomObjectAsync(DhcpObjects.Reservations, ns, "gone.pooled") is null, "the reservation is gone");
        var status = await PoolWithAllocationsAsync(pool, 1);
        Assert.NotNull(status["status"]!["allocated"]![DhcpObjects.Address(stays)!]);
        Assert.Equal(DhcpObjects.Address(stays), DhcpObjects.Address(await _k.AllocatedReservationAsync(ns, "stays.pooled")));
    }

    [Fact]
    public async Task An_exhausted_pool_sets_a_condition_and_an_event_and_recovers_when_an_address_is_freed()
    {
        var (ns, pool) = await PooledNamespaceAsync("10.53.0.0/29", "10.53.0.1", "10.53.0.2", "10.53.0.3");
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("first", ("pooled", null)));
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("second", ("pooled", null)));
        await _k.AllocatedReservationAsync(ns, "first.pooled");
        await _k.AllocatedReservationAsync(ns, "second.pooled");

        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("third", ("pooled", null)));
        var waiting = await Eventually.ValueAsync(
            () => _k.TryGetCustomObjectAsync(DhcpObjects.Reservations, ns, "third.pooled"),
            r => r is not null && DhcpObjects.Condition(r, "Allocated", "reason") == "PoolExhausted",
            "the third reservation reports the exhausted pool",
            describe: r => r?.ToJsonString() ?? "(absent)");
        Assert.Equal("False", DhcpObjects.Condition(waiting!, "Allocated"));
        Assert.Null(DhcpObjects.Address(waiting!));
        Assert.Contains(pool, DhcpObjects.Condition(waiting!, "Allocated", "message"), StringComparison.Ordinal);
        var warning = await _k.WaitForEventAsync(ns, "third", "IPPoolExhausted", "VirtualMachine");
        Assert.Equal("Warning", warning.Type);
        await _k.WaitForEventAsync(ns, "third.pooled", "IPPoolExhausted", "IPReservation");

        // Not a blocked pool: freeing one address serves the waiting reservation.
        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachines, ns, "first");
        var served = await _k.AllocatedReservationAsync(ns, "third.pooled");
        Assert.StartsWith("10.53.0.", DhcpObjects.Address(served), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mac_edit_moves_the_reservation_to_the_new_mac_and_upper_case_is_the_same_mac()
    {
        var (ns, pool) = await PooledNamespaceAsync("10.54.0.0/24", "10.54.0.1");
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm", ("pooled", "02:00:00:5A:BC:01")));
        var before = await _k.AllocatedReservationAsync(ns, "vm.pooled");
        Assert.Equal("02:00:00:5a:bc:01", before["status"]!["macAddress"]!.GetValue<string>());

        await _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm", TestCluster.JsonPatch(new JsonArray(
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/template/spec/domain/devices/interfaces/0/macAddress", ["value"] = "02:00:00:5a:bc:02" })));
        var after = await Eventually.ValueAsync(
            () => _k.AllocatedReservationAsync(ns, "vm.pooled"),
            r => r["status"]!["macAddress"]!.GetValue<string>() == "02:00:00:5a:bc:02",
            "the reservation follows the new MAC",
            describe: r => r.ToJsonString());
        Assert.Equal(DhcpObjects.Address(before), DhcpObjects.Address(after));
        var status = await Eventually.ValueAsync(
            () => _k.GetPoolAsync(pool),
            p => p["status"]?["allocated"]?[DhcpObjects.Address(after)!]?["mac"]?.GetValue<string>() == "02:00:00:5a:bc:02",
            "the pool lists the new MAC",
            describe: p => p["status"]?.ToJsonString() ?? "");
        Assert.Single(status["status"]!["allocated"]!.AsObject());
    }

    [Fact]
    public async Task Removing_the_interface_deletes_the_reservation_and_frees_the_address()
    {
        var (ns, pool) = await PooledNamespaceAsync("10.55.0.0/24", "10.55.0.1");
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("vm", ("other", null), ("pooled", null)));
        await _k.AllocatedReservationAsync(ns, "vm.pooled");
        await PoolWithAllocationsAsync(pool, 1);

        await _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns, "vm", TestCluster.JsonPatch(new JsonArray(
            new JsonObject { ["op"] = "remove", ["path"] = "/spec/template/spec/domain/devices/interfaces/1" },
            new JsonObject { ["op"] = "remove", ["path"] = "/spec/template/spec/networks/1" })));
        await Eventually.TrueAsync(
            async () => await _k.TryGetCustomObjectAsync(DhcpObjects.Reservations, ns, "vm.pooled") is null, "the reservation is deleted");
        await PoolWithAllocationsAsync(pool, 0);
    }

    [Fact]
    public async Task A_pinned_address_is_validated_at_admission_and_honoured()
    {
        var (ns, _) = await PooledNamespaceAsync("10.56.0.0/24", "10.56.0.1", "10.56.0.10", "10.56.0.20");
        var outside = Pinned(Vms.Bridged("outside", ("pooled", null)), """{"pooled":"10.56.0.99"}""");
        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => _k.CreateVirtualMachineAsync(ns, outside));
        Assert.Contains($"pinned address 10.56.0.99 is outside the allocation range of network {ns}/pooled", refused.Message, StringComparison.Ordinal);

        var malformed = Pinned(Vms.Bridged("malformed", ("pooled", null)), "10.56.0.12");
        refused = await Assert.ThrowsAsync<KubernetesApiException>(() => _k.CreateVirtualMachineAsync(ns, malformed));
        Assert.Contains("kubemacpool.io/pinned-ips must be a JSON object from interface name to IPv4 address", refused.Message, StringComparison.Ordinal);

        await _k.CreateVirtualMachineAsync(ns, Pinned(Vms.Bridged("pinned", ("pooled", null)), """{"pooled":"10.56.0.15"}"""));
        var reservation = await _k.AllocatedReservationAsync(ns, "pinned.pooled");
        Assert.Equal("10.56.0.15", DhcpObjects.Address(reservation));
        Assert.Equal("10.56.0.15", reservation["spec"]!["ipAddress"]!.GetValue<string>());

        var taken = Pinned(Vms.Bridged("taken", ("pooled", null)), """{"pooled":"10.56.0.15"}""");
        refused = await Assert.ThrowsAsync<KubernetesApiException>(() => _k.CreateVirtualMachineAsync(ns, taken));
        Assert.Contains($"pinned address 10.56.0.15 is already reserved for {ns}/pinned.pooled", refused.Message, StringComparison.Ordinal);
    }

    private static JsonObject Pinned(JsonObject vm, string annotation)
    {
        vm["metadata"]!["annotations"] = new JsonObject { ["kubemacpool.io/pinned-ips"] = annotation };
        return vm;
    }
}
