using k8s;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.Pool.Controllers;

/// <summary>
/// Removes kubemacpool's pre-2021 finalizer from VMs being deleted, so they are not stuck. The VM controller queues
/// the key; this reconciler reads the cached VM and patches. A JSON patch with a "test" op guards against removing
/// another finalizer when the list changed meanwhile (a conflict is retried with backoff).
/// </summary>
internal sealed partial class LegacyFinalizerRemover(
    IKubernetes client, Informer<VirtualMachine> virtualMachines, Leadership leadership, TimeProvider time, ILogger<LegacyFinalizerRemover> logger)
    : IReconciler<string>, IDisposable
{
    private readonly WorkQueue<string> _queue = new(time);

    public void Enqueue(string @namespace, string name) => _queue.Add(ObjectCache<VirtualMachine>.KeyOf(@namespace, name));

    public Task RunAsync(CancellationToken cancellationToken) =>
        new ReconcileLoop<string>("legacy-finalizer", _queue, this, logger, leaderOnly: leadership).RunAsync(cancellationToken);

    public async ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (virtualMachines.Cache.Get(key) is not { } vm
            || vm.Metadata.DeletionTimestamp is null
            || ObjectPatches.RemoveFinalizer(vm.Metadata, WellKnown.LegacyFinalizer) is not { } patch)
        {
            return ReconcileResult.Done;
        }

        await ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchNamespacedCustomObjectAsync(
            patch, VirtualMachine.Group, VirtualMachine.Version, vm.Metadata.NamespaceProperty,
            VirtualMachine.Plural, vm.Metadata.Name, cancellationToken: cancellationToken));
        LogRemoved(logger, vm.Metadata.NamespaceProperty, vm.Metadata.Name);
        return ReconcileResult.Done;
    }

    public void Dispose() => _queue.Dispose();

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Removed the legacy finalizer from VM {Namespace}/{Name}")]
    private static partial void LogRemoved(ILogger logger, string @namespace, string name);
}
