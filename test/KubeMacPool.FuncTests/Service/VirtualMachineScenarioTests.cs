using System.Text.Json.Nodes;
using k8s;
using KubeMacPool.Core.Addressing;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Service;

/// <summary>
/// Upstream's VM scenarios (spec §8.1 A and the classic §8.2 rejections) against the real manager, called by the real
/// API server over TLS.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VirtualMachineScenarioTests(ClusterFixture cluster, KubeMacPoolServiceFixture fixture)
    : IClassFixture<KubeMacPoolServiceFixture>, IAsyncLifetime
{
    private const string TakenError = "admission webhook \"mutatevirtualmachines.kubemacpool.io\" denied the request: Failed to create virtual machine allocation error: Failed to allocate mac to the vm object: failed to allocate requested mac address";

    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);
    private KubeMacPoolService Service => fixture.Service;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    private static bool InRange(string? mac) =>
        MacAddress.TryParse(mac, out var m) && m >= MacAddress.Parse(KubeMacPoolService.DefaultRangeStart) && m <= MacAddress.Parse(KubeMacPoolService.DefaultRangeEnd);

    [Fact]
    public async Task Dry_run_create_answers_a_mac_but_stores_nothing()
    {
        var ns = await _k.CreateNamespaceAsync();
        var answered = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("dry", ("br1", null)), dryRun: true);
        Assert.True(InRange(Vms.Macs(answered)[0]), $"dry run answered {Vms.Macs(answered)[0]}");
        Assert.Null(await _k.TryGetCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "dry"));

        // What a dry run answered is not reserved.
        var real = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("real", ("br1", Vms.Macs(answered)[0])));
        Assert.Equal(Vms.Macs(answered)[0], Vms.Macs(real)[0]);
    }

    [Fact]
    public async Task Every_created_vm_gets_a_transaction_timestamp_that_stays_and_other_fields_survive()
    {
        var ns = await _k.CreateNamespaceAsync();
        var created = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm", ("br1", null), ("br2", null)));
        Assert.NotNull(Vms.Timestamp(created));
        Assert.All(Vms.Macs(created), m => Assert.True(InRange(m), m));
        Assert.Equal(2, Vms.Macs(created).Distinct().Count());
        Assert.Equal("native", created["spec"]!["template"]!["spec"]!["domain"]!["devices"]!["disks"]![0]!["io"]!.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(Vms.Timestamp(created), Vms.Timestamp(await _k.GetVirtualMachineAsync(ns.Name, "vm")));
    }

    [Theory]
    [InlineData("02:00:00:00:ff:ff")]
    [InlineData("06:00:00:00:00:00")]
    public async Task Two_interfaces_with_one_mac_are_refused(string mac)
    {
        var ns = await _k.CreateNamespaceAsync();
        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("dup", ("br1", mac), ("br2", mac.ToUpperInvariant().Replace(':', '-')))));
        Assert.Contains($"duplicate MAC address {mac} found on interfaces: br1 and br2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reapplying_a_spec_without_macs_keeps_the_macs_given_at_creation()
    {
        var ns = await _k.CreateNamespaceAsync();
        (string, string?)[] five = [("br0", null), ("br1", null), ("br2", null), ("br3", null), ("br4", null)];
        var created = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm", five));
        var macs = Vms.Macs(created);
        Assert.All(macs, m => Assert.True(InRange(m), m));

        var reapply = Vms.Bridged("vm", five);
        reapply["metadata"]!["resourceVersion"] = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        var updated = TestCluster.ParseObject(System.Text.Json.JsonSerializer.Serialize(await cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(
            reapply, "kubevirt.io", "v1", ns.Name, "virtualmachines", "vm")));
        Assert.Equal(macs, Vms.Macs(updated));
    }

    [Fact]
    public async Task A_mac_another_vm_holds_is_refused_in_any_syntax_until_that_vm_is_deleted()
    {
        var ns = await _k.CreateNamespaceAsync();
        var first = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("first", ("br1", null)));
        var mac = Vms.Macs(first)[0]!;
        foreach (var spelling in new[] { mac, mac.ToUpperInvariant().Replace(':', '-') })
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("second", ("br1", spelling))));
            Assert.Contains(TakenError, refused.Message, StringComparison.Ordinal);
        }

        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "first");
        await _k.EventuallyAsync(async () =>
        {
            try
            {
                await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("second", ("br1", mac)));
                return true;
            }
            catch (Exception e) when (e.Message.Contains(TakenError, StringComparison.Ordinal))
            {
                return false;
            }
        }, "the deleted VM's MAC to be reusable", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_restarted_service_rebuilds_its_state_from_the_cluster()
    {
        var ns = await _k.CreateNamespaceAsync();
        await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("holder", ("br1", "02:00:ff:ff:ff:ff")));
        await Service.RestartAsync();
        TestContext.Current.SendDiagnosticMessage($"kubemacpool ready {Service.LastStartup.TotalMilliseconds:F0} ms after restart");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("other", ("br1", "02:00:ff:ff:ff:ff"))));
        Assert.Contains(TakenError, refused.Message, StringComparison.Ordinal);
        Assert.True(Service.LastStartup < TimeSpan.FromSeconds(30), $"restart took {Service.LastStartup}");
    }

    [Fact]
    public async Task The_legacy_finalizer_is_removed_so_a_vm_can_be_deleted()
    {
        var ns = await _k.CreateNamespaceAsync();
        var created = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm", ("br1", null)));
        Assert.Null(created["metadata"]!["finalizers"]);
        await _k.PatchCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "vm",
            TestCluster.MergePatch(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray("k8s.v1.cni.cncf.io/kubeMacPool") } }));
        await _k.DeleteCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "vm");
        await _k.EventuallyAsync(
            async () => await _k.TryGetCustomObjectAsync(CustomResources.VirtualMachines, ns.Name, "vm") is null,
            "the VM with the legacy finalizer to be gone", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task In_opt_in_mode_only_labelled_namespaces_get_macs_and_opt_out_honours_ignore()
    {
        var plain = await _k.CreateNamespaceAsync();
        var labelled = await _k.CreateNamespaceAsync();
        await labelled.SetLabelAsync(KubeMacPoolService.VirtualMachinesWebhook, "allocate");
        await Service.SetOptModeAsync(KubeMacPoolService.VirtualMachinesWebhook, optIn: true);
        try
        {
            // The API server applies a changed selector through its own watch: wait until it does (dry runs).
            await _k.EventuallyAsync(
                async () => Vms.Macs(await _k.CreateVirtualMachineAsync(plain.Name, Vms.Bridged("probe", ("br1", null)), dryRun: true))[0] is null,
                "the API server to apply the opt-in selector", TimeSpan.FromSeconds(15));
            Assert.Null(Vms.Macs(await _k.CreateVirtualMachineAsync(plain.Name, Vms.Bridged("vm", ("br1", null))))[0]);
            Assert.True(InRange(Vms.Macs(await _k.CreateVirtualMachineAsync(labelled.Name, Vms.Bridged("vm", ("br1", null))))[0]));
        }
        finally
        {
            await Service.SetOptModeAsync(KubeMacPoolService.VirtualMachinesWebhook, optIn: false);
        }

        var ignored = await _k.CreateNamespaceAsync();
        await ignored.SetLabelAsync(KubeMacPoolService.VirtualMachinesWebhook, "ignore");
        await _k.EventuallyAsync(
            async () => Vms.Macs(await _k.CreateVirtualMachineAsync(plain.Name, Vms.Bridged("probe", ("br1", null)), dryRun: true))[0] is not null,
            "the API server to apply the opt-out selector again", TimeSpan.FromSeconds(15));
        Assert.Null(Vms.Macs(await _k.CreateVirtualMachineAsync(ignored.Name, Vms.Bridged("vm", ("br1", null))))[0]);
        Assert.True(InRange(Vms.Macs(await _k.CreateVirtualMachineAsync(plain.Name, Vms.Bridged("vm2", ("br1", null))))[0]));
    }

    [Fact]
    public async Task A_reservation_whose_object_never_persisted_is_healed_after_the_wait_time()
    {
        var ns = await _k.CreateNamespaceAsync();
        await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm", ("br1", null)));

        // The webhook reserves 06:..:01 for "vm", then the API server refuses the create (AlreadyExists).
        await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm", ("br1", "06:00:00:00:00:01"))));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("other", ("br1", "06:00:00:00:00:01"))));
        Assert.Contains(TakenError, refused.Message, StringComparison.Ordinal);

        await _k.EventuallyAsync(async () =>
        {
            try
            {
                await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("other", ("br1", "06:00:00:00:00:01")));
                return true;
            }
            catch (Exception e) when (e.Message.Contains(TakenError, StringComparison.Ordinal))
            {
                return false;
            }
        }, "the stale reservation to be healed", TimeSpan.FromSeconds(KubeMacPoolServiceFixture.WaitTimeSeconds + 20));
    }

    [Fact]
    public async Task Sixteen_interfaces_added_then_removed_release_their_macs()
    {
        var ns = await _k.CreateNamespaceAsync();
        var macs = Enumerable.Range(0, 16).Select(i => $"0e:00:00:00:16:{i:x2}").ToArray();
        await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm"));
        var withAll = Vms.Bridged("vm", macs.Select((m, i) => ($"br{i}", (string?)m)).ToArray());
        await ReplaceAsync(ns.Name, withAll);
        await ReplaceAsync(ns.Name, Vms.Bridged("vm"));

        foreach (var (mac, i) in macs.Select((m, i) => (m, i)))
        {
            await _k.EventuallyAsync(async () =>
            {
                try
                {
                    await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged($"new{i}", ("br1", mac)));
                    return true;
                }
                catch (Exception e) when (e.Message.Contains(TakenError, StringComparison.Ordinal))
                {
                    return false;
                }
            }, $"{mac} to be released", TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task A_range_edit_applies_live_and_an_invalid_one_is_refused_with_an_event()
    {
        var ns = await _k.CreateNamespaceAsync();
        var before = Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("before", ("br1", null))))[0];
        try
        {
            await Service.SetRangeAsync("0A:00:00:00:00:00", "0A:00:00:00:00:FF");
            var n = 0;
            await _k.EventuallyAsync(async () =>
            {
                var mac = Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged($"after{n++}", ("br1", null))))[0]!;
                return mac.StartsWith("0a:00:00:00:00:", StringComparison.Ordinal);
            }, "new VMs to get MACs from the new range", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
            Assert.Equal(before, Vms.Macs(await _k.GetVirtualMachineAsync(ns.Name, "before"))[0]);

            await Service.SetRangeAsync("invalid-mac", "0A:00:00:00:00:FF");
            await _k.WaitForEventAsync(KubeMacPoolService.Namespace, KubeMacPoolService.RangeConfigMap, "InvalidRange", timeout: TimeSpan.FromSeconds(30));
            var still = Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("still", ("br1", null))))[0]!;
            Assert.StartsWith("0a:00:00:00:00:", still, StringComparison.Ordinal);
        }
        finally
        {
            await Service.SetRangeAsync(KubeMacPoolService.DefaultRangeStart, KubeMacPoolService.DefaultRangeEnd);
        }
    }

    [Fact]
    public async Task Deleting_the_range_config_map_keeps_the_range_and_successive_edits_each_apply()
    {
        var ns = await _k.CreateNamespaceAsync();
        try
        {
            foreach (var prefix in new[] { "0a:00:00:00:01:", "0e:00:00:00:01:" })
            {
                await Service.SetRangeAsync(prefix + "00", prefix + "ff");
                var n = 0;
                await _k.EventuallyAsync(
                    async () => Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged($"vm-{prefix[..2]}-{n++}", ("br1", null))))[0]!.StartsWith(prefix, StringComparison.Ordinal),
                    $"MACs from {prefix}00-ff", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
            }

            await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync(KubeMacPoolService.RangeConfigMap, KubeMacPoolService.Namespace);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var after = Vms.Macs(await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("after-delete", ("br1", null))))[0]!;
            Assert.StartsWith("0e:00:00:00:01:", after, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
                new k8s.Models.V1ConfigMap
                {
                    Metadata = new k8s.Models.V1ObjectMeta { Name = KubeMacPoolService.RangeConfigMap },
                    Data = new Dictionary<string, string> { ["RANGE_START"] = KubeMacPoolService.DefaultRangeStart, ["RANGE_END"] = KubeMacPoolService.DefaultRangeEnd },
                },
                KubeMacPoolService.Namespace);
        }
    }

    [Fact]
    public async Task Duplicate_policy_allow_set_live_admits_a_mac_another_vm_holds()
    {
        var ns = await _k.CreateNamespaceAsync();
        await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("first", ("br1", "06:00:00:00:aa:01")));
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(
            TestCluster.MergePatch(new JsonObject { ["data"] = new JsonObject { ["DUPLICATE_MACS"] = "allow" } }),
            KubeMacPoolService.RangeConfigMap, KubeMacPoolService.Namespace);
        try
        {
            await _k.EventuallyAsync(async () =>
            {
                try
                {
                    await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("second", ("br1", "06:00:00:00:aa:01")));
                    return true;
                }
                catch (Exception e) when (e.Message.Contains(TakenError, StringComparison.Ordinal))
                {
                    return false;
                }
            }, "the duplicate to be admitted under DUPLICATE_MACS=allow", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(
                TestCluster.MergePatch(new JsonObject { ["data"] = new JsonObject { ["DUPLICATE_MACS"] = "reject" } }),
                KubeMacPoolService.RangeConfigMap, KubeMacPoolService.Namespace);
        }
    }

    [Fact]
    public async Task A_stale_update_refused_with_a_conflict_does_not_release_the_mac_of_the_persisted_nic()
    {
        var ns = await _k.CreateNamespaceAsync();
        var original = await _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("vm"));
        var stale = Vms.Bridged("vm");
        stale["metadata"]!["resourceVersion"] = original["metadata"]!["resourceVersion"]!.GetValue<string>();

        await ReplaceAsync(ns.Name, Vms.Bridged("vm", ("br1", "06:00:00:00:cf:01")));

        // The outdated object (no NIC) reaches the webhook, which records the removal; then the API server refuses it.
        var conflict = await Assert.ThrowsAnyAsync<Exception>(() =>
            cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(stale, "kubevirt.io", "v1", ns.Name, "virtualmachines", "vm"));
        Assert.Contains("Conflict", conflict.Message, StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(KubeMacPoolServiceFixture.WaitTimeSeconds + 5));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => _k.CreateVirtualMachineAsync(ns.Name, Vms.Bridged("other", ("br1", "06:00:00:00:cf:01"))));
        Assert.Contains(TakenError, refused.Message, StringComparison.Ordinal);
    }

    private async Task ReplaceAsync(string ns, JsonObject vm)
    {
        var current = await _k.GetVirtualMachineAsync(ns, vm["metadata"]!["name"]!.GetValue<string>());
        vm["metadata"]!["resourceVersion"] = current["metadata"]!["resourceVersion"]!.GetValue<string>();
        await cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(vm, "kubevirt.io", "v1", ns, "virtualmachines", vm["metadata"]!["name"]!.GetValue<string>());
    }
}
