using k8s;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Networks;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Namespaces;
using KubeMacPool.Manager.Telemetry;

namespace KubeMacPool.Manager.Pool.Controllers;

/// <summary>
/// Keeps the pool in step with persisted VirtualMachines: on the first list it registers every MAC of managed VMs
/// (the startup rebuild); afterwards it commits a pending reservation when the persisted VM carries its
/// transaction timestamp, and releases a VM's MACs when the VM goes.
/// </summary>
internal sealed partial class VirtualMachineController(
    MacPool pool,
    ManagedNamespaces namespaces,
    LegacyFinalizerRemover finalizers,
    ManagerMetrics metrics,
    ILogger<VirtualMachineController> logger) : IResourceEventHandler<VirtualMachine>
{
    public ValueTask OnListedAsync(IReadOnlyList<VirtualMachine> items, CancellationToken cancellationToken)
    {
        var present = items.Select(vm => Owner(vm).Key).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in pool.Owners(MacOwner.VirtualMachineKind).Where(o => !present.Contains(o.Key)))
        {
            pool.Release(gone);
        }

        long duplicates = 0;
        foreach (var vm in items)
        {
            if (vm.Metadata.DeletionTimestamp is not null || !namespaces.IsManaged(WebhookKind.VirtualMachines, vm.Metadata.NamespaceProperty))
            {
                continue;
            }

            var owner = Owner(vm);
            foreach (var (iface, mac) in PersistedMacs(vm, supportedOnly: true))
            {
                if (pool.Register(owner, iface, mac))
                {
                    duplicates++;
                    LogDuplicate(logger, mac.ToString(), owner.Key);
                }
            }
        }

        metrics.RecordDuplicatesAtRebuild(duplicates);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, VirtualMachine vm, CancellationToken cancellationToken)
    {
        var owner = Owner(vm);
        if (type == WatchEventType.Deleted)
        {
            pool.Release(owner);
            return ValueTask.CompletedTask;
        }

        if (vm.Metadata.DeletionTimestamp is not null)
        {
            pool.Release(owner);
            if (vm.Metadata.Finalizers?.Contains(WellKnown.LegacyFinalizer) == true)
            {
                finalizers.Enqueue(owner.Namespace, owner.Name);
            }

            return ValueTask.CompletedTask;
        }

        if (!namespaces.IsManaged(WebhookKind.VirtualMachines, owner.Namespace))
        {
            return ValueTask.CompletedTask;
        }

        // No timestamp: the VM was not made through our webhook yet; nothing pending can be proven.
        if (TransactionTimestamp.Parse(vm.Metadata.Annotations.ValueOrNull(WellKnown.TransactionTimestampAnnotation)) is { } persisted)
        {
            pool.Commit(owner, persisted, PersistedMacs(vm, supportedOnly: false));
        }

        // What this replica did not admit (another replica led, or this one stood by) is taken as the rebuild takes
        // it, so a standby's pool stays what a restart would build, and a new leader keeps what the old one admitted.
        foreach (var duplicate in pool.Adopt(owner, PersistedMacs(vm, supportedOnly: true)))
        {
            LogDuplicate(logger, duplicate.ToString(), owner.Key);
        }

        return ValueTask.CompletedTask;
    }

    public static MacOwner Owner(VirtualMachine vm) => MacOwner.VirtualMachine(vm.Metadata.NamespaceProperty, vm.Metadata.Name);

    /// <summary>The (interface, MAC) pairs a persisted VM carries; unparseable MACs are skipped.</summary>
    public static IEnumerable<(string Interface, MacAddress Mac)> PersistedMacs(VirtualMachine vm, bool supportedOnly)
    {
        // A cached VM's spec is read straight from its packed bytes (the startup rebuild reads every VM once).
        var interfaces = vm.PackedSpec is { } packed ? VirtualMachineInterfaces.ReadPackedSpec(packed) : VirtualMachineInterfaces.ReadSpec(vm.Spec);
        foreach (var iface in interfaces.Interfaces)
        {
            if ((!supportedOnly || interfaces.GetsMac(iface)) && MacAddress.TryParse(iface.MacAddress, out var mac))
            {
                yield return (iface.Name, mac);
            }
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Duplicate mac address for virtual machine: {Mac} ({Owner})")]
    private static partial void LogDuplicate(ILogger logger, string mac, string owner);
}
