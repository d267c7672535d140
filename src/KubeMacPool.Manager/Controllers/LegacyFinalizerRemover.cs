using k8s;
using k8s.Autorest;
using KubeMacPool.Core.Networks;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Controllers;

/// <summary>
/// Removes kubemacpool's pre-2021 finalizer from VMs being deleted, so they are not stuck. A JSON patch with a
/// "test" op guards against removing another finalizer when the list changed meanwhile.
/// </summary>
internal sealed partial class LegacyFinalizerRemover(IKubernetes client, ILogger<LegacyFinalizerRemover> logger)
{
    public async Task RemoveAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                var vm = await client.CustomObjects.GetNamespacedCustomObjectAsync<VirtualMachine>(
                    VirtualMachine.Group, VirtualMachine.Version, @namespace, VirtualMachine.Plural, name, cancellationToken);
                if (ObjectPatches.RemoveFinalizer(vm.Metadata, WellKnown.LegacyFinalizer) is not { } patch)
                {
                    return;
                }

                await client.CustomObjects.PatchNamespacedCustomObjectAsync(
                    patch, VirtualMachine.Group, VirtualMachine.Version, @namespace,
                    VirtualMachine.Plural, name, cancellationToken: cancellationToken);
                LogRemoved(logger, @namespace, name);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode is 409 or 422)
            {
                // The finalizer list changed under us: read it again.
            }
        }
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Removed the legacy finalizer from VM {Namespace}/{Name}")]
    private static partial void LogRemoved(ILogger logger, string @namespace, string name);
}
