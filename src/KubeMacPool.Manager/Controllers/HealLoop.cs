using k8s;
using k8s.Autorest;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Kubernetes.Models;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Controllers;

/// <summary>
/// Every few seconds, settles reservations pending longer than <c>--wait-time</c>: the object was rejected after
/// our webhook, or its persisted form never reached us. The live object decides: what it carries stays, the rest
/// is released; an object that does not exist releases everything it had pending.
/// </summary>
internal sealed partial class HealLoop(
    MacPool pool, IKubernetes client, IOptions<ManagerOptions> options, TimeProvider time, ILogger<HealLoop> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await HealOnceAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHealFailed(logger, e);
            }
        }
    }

    public async Task HealOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.WaitTime;
        foreach (var owner in pool.StalePending(cutoff).Select(e => e.Owner).Distinct())
        {
            var persisted = await LiveMacsAsync(owner, cancellationToken);
            pool.Commit(owner, cutoff, persisted ?? []);
            LogHealed(logger, owner.Key, persisted is null);
        }
    }

    /// <summary>The MACs the live object carries, or null when it does not exist.</summary>
    private async Task<IReadOnlyList<(string, MacAddress)>?> LiveMacsAsync(MacOwner owner, CancellationToken cancellationToken)
    {
        if (owner.Kind == MacOwner.PodKind && PodController.IsTemporary(owner))
        {
            return null;
        }

        try
        {
            if (owner.IsVirtualMachine)
            {
                var vm = await client.CustomObjects.GetNamespacedCustomObjectAsync<VirtualMachine>(
                    VirtualMachine.Group, VirtualMachine.Version, owner.Namespace, VirtualMachine.Plural, owner.Name, cancellationToken);
                return VirtualMachineController.PersistedMacs(vm, supportedOnly: false).ToList();
            }

            var pod = await client.CoreV1.ReadNamespacedPodAsync(owner.Name, owner.Namespace, cancellationToken: cancellationToken);
            return PodController.PersistedMacs(pod).ToList();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Healed stale reservations of {Owner} (object gone: {Gone})")]
    private static partial void LogHealed(ILogger logger, string owner, bool gone);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "Heal pass failed; retrying at the next tick")]
    private static partial void LogHealFailed(ILogger logger, Exception exception);
}
