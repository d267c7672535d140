using k8s.Models;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Pool.Controllers;

/// <summary>
/// Every few seconds, settles reservations pending longer than <c>--wait-time</c>: the object was rejected after
/// our webhook, or its persisted form never reached us. The live object decides: what it carries stays, the rest
/// is released; an object that does not exist releases everything it had pending. It reads the informers' caches,
/// never the API.
/// </summary>
internal sealed partial class HealLoop(
    MacPool pool,
    Informer<VirtualMachine> virtualMachines,
    Informer<V1Pod> pods,
    IOptions<ManagerOptions> options,
    TimeProvider time,
    ILogger<HealLoop> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    // Owners read per pool call. Each owner is then settled under the lock on its own, so admissions wait for at
    // most one owner's commit or one bounded scan, however many stale entries there are.
    internal const int BatchSize = 1024;

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
        var started = time.GetTimestamp();
        var cutoff = time.GetUtcNow() - options.Value.WaitTime;
        var (owners, gone) = (0, 0);

        // Each batch settles every entry it names up to the cutoff, so the stale set shrinks batch by batch; the
        // round limit only guards against an owner that would not settle.
        var rounds = (pool.PendingCount / BatchSize) + 2;
        for (var batch = pool.StaleOwners(cutoff, BatchSize); batch.Count > 0 && rounds-- > 0; batch = pool.StaleOwners(cutoff, BatchSize))
        {
            foreach (var owner in batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var persisted = LiveMacs(owner);
                pool.Commit(owner, cutoff, persisted ?? []);
                owners++;
                gone += persisted is null ? 1 : 0;

                // One line per owner for an ordinary pass; a storm (100,000 rejected objects) gets the first batch's
                // lines and the summary, not 100,000 lines written while admissions share the CPU.
                if (owners <= BatchSize)
                {
                    LogHealed(logger, owner.Key, persisted is null);
                }
            }

            // Lets other work on this thread-pool thread run between batches (the lock is already free).
            await Task.Yield();
        }

        if (owners > 0)
        {
            var elapsed = (long)time.GetElapsedTime(started).TotalMilliseconds;
            LogHealPass(logger, owners, gone, elapsed);
        }
    }

    /// <summary>The MACs the object carries as the informers last saw it, or null when it does not exist.</summary>
    private IReadOnlyList<(string, MacAddress)>? LiveMacs(MacOwner owner)
    {
        if (owner.Kind == MacOwner.PodKind && PodController.IsTemporary(owner))
        {
            return null;
        }

        if (owner.IsVirtualMachine)
        {
            return virtualMachines.Cache.Get(owner.Namespace, owner.Name) is { } vm
                ? VirtualMachineController.PersistedMacs(vm, supportedOnly: false).ToList()
                : null;
        }

        return pods.Cache.Get(owner.Namespace, owner.Name) is { } pod ? PodController.PersistedMacs(pod).ToList() : null;
    }

    // Debug: production gets the one line per pass below.
    [LoggerMessage(EventId = 720, Level = LogLevel.Debug, Message = "Healed stale reservations of {Owner} (object gone: {Gone})")]
    private static partial void LogHealed(ILogger logger, string owner, bool gone);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "Heal pass failed; retrying at the next tick")]
    private static partial void LogHealFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 722, Level = LogLevel.Information, Message = "Heal pass settled the stale reservations of {Owners} owners ({Gone} of them gone) in {Milliseconds} ms; debug lists the first 1024")]
    private static partial void LogHealPass(ILogger logger, int owners, int gone, long milliseconds);
}
