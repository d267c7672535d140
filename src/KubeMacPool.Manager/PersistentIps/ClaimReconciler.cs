using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.PersistentIps;

/// <summary>
/// The IPAMClaims of one key (<c>namespace/name</c> of a VM and its VMI), from the caches: created while a VMI runs,
/// owned by its VM (or by the VMI when there is none), kept across stop/start and migration, and let go (finalizer
/// removed, the garbage collector deletes them) once nothing can use their IPs. The decisions are Core's.
/// </summary>
internal sealed partial class ClaimReconciler(
    Informer<VirtualMachine> virtualMachines,
    Informer<VirtualMachineInstance> instances,
    Informer<NetworkAttachmentDefinition> nads,
    Informer<IpamClaim> claims,
    ClaimApi api,
    ClaimProblems problems,
    ILogger<ClaimReconciler> logger) : IReconciler<string>
{
    public async ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var vmi = instances.Cache.Get(key);
        var labelled = claims.Cache.ByIndex(ClaimKeys.ClaimsByVmLabel, ClaimKeys.ClaimIndexValue(key));
        if (vmi is null && labelled.Count == 0)
        {
            // Nothing runs and nothing is claimed: nothing to write whatever the VM's state, so the VM (opened from
            // bytes on every read) is not read.
            problems.Clear(key);
            return ReconcileResult.Done;
        }

        return await ReconcileClaimsAsync(key, vmi, labelled, cancellationToken);
    }

    private async Task<ReconcileResult> ReconcileClaimsAsync(
        string key, VirtualMachineInstance? vmi, IReadOnlyList<IpamClaim> labelled, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = (key[..slash], key[(slash + 1)..]);
        var owned = labelled.Where(c => ClaimKeys.BelongsTo(c, name)).ToList();

        var vm = virtualMachines.Cache.Get(key);
        var vmState = State(vm?.Metadata);
        var vmiState = State(vmi?.Metadata);

        if (ClaimCleanup.ShouldRemoveFinalizers(vmState, vmiState, VmiSpec.HasActivePods(vmi?.Status)))
        {
            problems.Clear(key);
            return await ReleaseAsync(key, owned, cancellationToken) ? ReconcileResult.Done : ReconcileResult.Failed;
        }

        if (vmi is null || vmiState == ObjectState.Deleting)
        {
            return ReconcileResult.Done;
        }

        // KubeVirt makes a VM's VMI with an owner reference to it: until the VM is in the cache too, wait for it (its
        // event queues this key) rather than give the claims to the VMI (they would then go with the next stop).
        if (vm is null && vmi.Metadata.OwnerReferences?.Any(o => o.Kind == "VirtualMachine" && o.Name == name) == true)
        {
            return ReconcileResult.Done;
        }

        var plan = ClaimPlan.For(name, ns, VmiSpec.Read(vmi.Spec), nads.Cache.Lookup, nads.Cache.PrimaryOf(ns));
        if (plan.MissingNad is { } missing)
        {
            // The NAD's arrival queues this key again.
            var nad = missing.ToString();
            LogNadMissing(logger, key, nad);
            return ReconcileResult.Done;
        }

        if (plan.Error is { } error)
        {
            problems.Report(key, vmi.ApiVersion, vmi.Kind, vmi.Metadata, ClaimProblems.InvalidNad, error);
            return ReconcileResult.Done;
        }

        return await EnsureAsync(key, vm, vmi, vmState, plan, cancellationToken);
    }

    private async Task<ReconcileResult> EnsureAsync(
        string key, VirtualMachine? vm, VirtualMachineInstance vmi, ObjectState vmState, ClaimPlan plan, CancellationToken cancellationToken)
    {
        var (ns, name) = (vmi.Metadata.NamespaceProperty, vmi.Metadata.Name);
        var byVm = ClaimOwnership.OwnedByVm(vmState);
        var owner = new V1OwnerReference
        {
            ApiVersion = byVm ? vm!.ApiVersion : vmi.ApiVersion,
            Kind = byVm ? vm!.Kind : vmi.Kind,
            Name = byVm ? vm!.Metadata.Name : vmi.Metadata.Name,
            Uid = byVm ? vm!.Metadata.Uid : vmi.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };
        var conflicts = new List<string>();
        var failed = false;
        var createRefused = false;
        foreach (var desired in plan.Claims)
        {
            var existing = claims.Cache.Get(ns, desired.ClaimName);
            if (existing is null)
            {
                try
                {
                    existing = await api.CreateAsync(ns, name, desired, owner, cancellationToken);
                }
                catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogWriteFailed(logger, ns + "/" + desired.ClaimName, (int)e.Response.StatusCode, e.Response.Content);
                    problems.Report(key, vmi.ApiVersion, vmi.Kind, vmi.Metadata, ClaimProblems.CreateFailed,
                        $"could not create IPAMClaim {desired.ClaimName}: {e.Response.Content}");
                    createRefused = true;

                    // A refused object (400/422: e.g. a name the API rejects) stays refused until the key changes.
                    failed |= (int)e.Response.StatusCode is not (400 or 422);
                    continue;
                }

                if (existing is null)
                {
                    LogCreated(logger, ns, desired.ClaimName, desired.Network, owner.Kind, desired.MacAddress);
                    continue;
                }
            }

            if (!ClaimOwnership.IsOwnedBy(existing.Metadata.OwnerReferences?.Select(o => (string?)o.Uid).ToList(), owner.Uid))
            {
                conflicts.Add(desired.ClaimName);
                continue;
            }

            if (desired.MacAddress is { } mac && existing.Metadata.Annotations.ValueOrNull(IpamClaim.MacAnnotation) != mac)
            {
                failed |= !await TryWriteAsync(api.SetMacAsync(existing, mac, cancellationToken), key, cancellationToken);
            }
        }

        if (conflicts.Count > 0)
        {
            var message = string.Join("; ", conflicts.Select(ClaimOwnership.ConflictMessage));
            var names = string.Join(", ", conflicts);
            LogConflict(logger, key, names);
            if (problems.Report(key, vmi.ApiVersion, vmi.Kind, vmi.Metadata, ClaimProblems.Conflict, message) && vm is not null)
            {
                problems.AlsoOnVm(vm, ClaimProblems.Conflict, message);
            }
        }
        else if (!createRefused)
        {
            problems.Clear(key);
        }

        return failed ? ReconcileResult.Failed : ReconcileResult.Done;
    }

    /// <summary>Drops our finalizer from the key's claims; false when a write failed (the others are still tried).</summary>
    private async Task<bool> ReleaseAsync(string key, List<IpamClaim> owned, CancellationToken cancellationToken)
    {
        var released = true;
        foreach (var claim in owned.Where(c => c.Metadata.Finalizers is { } finalizers && finalizers.Contains(IpamClaim.Finalizer)))
        {
            if (await TryWriteAsync(api.RemoveFinalizerAsync(claim, cancellationToken), key, cancellationToken))
            {
                LogReleased(logger, claim.Metadata.NamespaceProperty, claim.Metadata.Name);
            }
            else
            {
                released = false;
            }
        }

        return released;
    }

    private async Task<bool> TryWriteAsync(Task write, string key, CancellationToken cancellationToken)
    {
        try
        {
            await write;
            return true;
        }
        catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogWriteFailed(logger, key, (int)e.Response.StatusCode, e.Response.Content);
            return false;
        }
        catch (HttpRequestException e)
        {
            LogWriteUnreachable(logger, key, e);
            return false;
        }
    }

    private static ObjectState State(V1ObjectMeta? metadata) =>
        metadata is null ? ObjectState.Absent : metadata.DeletionTimestamp is null ? ObjectState.Present : ObjectState.Deleting;

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "IPAMClaim {Namespace}/{Claim} created for network {Network}, owned by the {OwnerKind}, MAC {Mac}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string claim, string network, string ownerKind, string? mac);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "IPAMClaim {Namespace}/{Claim} released to the garbage collector (finalizer removed)")]
    private static partial void LogReleased(ILogger logger, string @namespace, string claim);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "{Key}: IPAMClaims {Claims} belong to another object; not adopted")]
    private static partial void LogConflict(ILogger logger, string key, string claims);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "{Key}: NetworkAttachmentDefinition {Nad} does not exist (yet); waiting for it")]
    private static partial void LogNadMissing(ILogger logger, string key, string nad);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Write for {Target} failed with {Status}: {Body}; retrying")]
    private static partial void LogWriteFailed(ILogger logger, string target, int status, string body);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "Write for {Target} could not reach the API server; retrying")]
    private static partial void LogWriteUnreachable(ILogger logger, string target, Exception exception);
}
