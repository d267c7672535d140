using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Manager.Kubernetes;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Ipam;

/// <summary>
/// Keeps one IPAMClaim per persistent network of every VMI (ipam-extensions' VM and VMI controllers in one loop): claims
/// are created while a VMI runs, owned by its VM (or by the VMI when there is none), kept across stop/start and
/// migration, and let go (finalizer removed, the garbage collector deletes them) once nothing can use their IPs. Watches
/// VMs, VMIs, NADs and claims; every decision is made from those caches, and one key (<c>namespace/name</c> of the VM
/// and its VMI) is reconciled at a time.
/// </summary>
internal sealed partial class ClaimController(
    IKubernetes client,
    ClaimApi api,
    ClaimedMacs claimedMacs,
    EventRecorder events,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger = loggers.CreateLogger<ClaimController>();
    private readonly Channel<ControllerWork> _work = ControllerWorkChannel.Create();
    private readonly Dictionary<string, VirtualMachine> _vms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VirtualMachineInstance> _vmis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NetworkAttachmentDefinition> _nads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IpamClaim> _claims = new(StringComparer.Ordinal);

    // The claims by namespace/kubevirt.io/vm label, rebuilt only when a claim changed, so a reconcile (and a full resync
    // over every VM) does not scan every claim of the cluster.
    private ILookup<string, IpamClaim> _claimsByVm = Array.Empty<IpamClaim>().ToLookup(ClaimsByVmKey);
    private bool _claimsChanged = true;

    // What was last reported per key, so a problem is an Event once, not once per reconcile.
    private readonly Dictionary<string, string> _reported = new(StringComparer.Ordinal);
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watchers = new[]
        {
            _work.Writer.WatchInto(ResourceClients.VirtualMachines(client), loggers, time, stoppingToken),
            _work.Writer.WatchInto(ResourceClients.VirtualMachineInstances(client), loggers, time, stoppingToken),
            _work.Writer.WatchInto(ResourceClients.CustomObjects<NetworkAttachmentDefinition, NetworkAttachmentDefinitionList>(client), loggers, time, stoppingToken),
            _work.Writer.WatchInto(ResourceClients.CustomObjects<IpamClaim, IpamClaimList>(client), loggers, time, stoppingToken),
        };
        try
        {
            await RunLoopAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(watchers);
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        var synced = false;
        while (await _work.Reader.WaitToReadAsync(cancellationToken))
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var all = false;
            while (_work.Reader.TryRead(out var item))
            {
                all |= Apply(item, keys);
            }

            if (_listed.Count < 4)
            {
                continue;
            }

            if (!synced)
            {
                synced = true;
                all = true;
                LogSynced(_logger, _vms.Count, _vmis.Count, _nads.Count, _claims.Count);
            }

            if (_claimsChanged)
            {
                _claimsChanged = false;
                claimedMacs.Replace(_claims.Values);
                _claimsByVm = _claims.Values.ToLookup(ClaimsByVmKey, StringComparer.Ordinal);
            }

            var todo = all ? [.. _vms.Keys.Union(_vmis.Keys).Union(_claims.Values.Select(OwnerKey).OfType<string>()).Union(keys)] : keys;
            foreach (var key in todo)
            {
                try
                {
                    await ReconcileAsync(key, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogReconcileFailed(_logger, key, e);
                    ScheduleRetry(key, cancellationToken);
                }
            }
        }
    }

    /// <summary>Updates the caches; returns true when everything must be looked at (a relist).</summary>
    private bool Apply(ControllerWork item, HashSet<string> keys)
    {
        switch (item)
        {
            case ControllerWork.Listed<VirtualMachine> vms:
                return Replace(_vms, vms.Items, "vms");
            case ControllerWork.Changed<VirtualMachine> vm:
                keys.Add(Update(_vms, vm.Type, vm.Item));
                return false;
            case ControllerWork.Listed<VirtualMachineInstance> vmis:
                return Replace(_vmis, vmis.Items, "vmis");
            case ControllerWork.Changed<VirtualMachineInstance> vmi:
                keys.Add(Update(_vmis, vmi.Type, vmi.Item));
                return false;
            case ControllerWork.Listed<NetworkAttachmentDefinition> nads:
                return Replace(_nads, nads.Items, "nads");
            case ControllerWork.Changed<NetworkAttachmentDefinition> nad:
                Update(_nads, nad.Type, nad.Item);
                if (nad.Type != WatchEventType.Deleted && NadNetworkConfig.Parse(nad.Item.Spec?.Config).Error is { } invalid)
                {
                    // Said on the NAD itself too, where its author looks; the VMIs that use it get their own Event.
                    events.Record(new EventTarget(nad.Item.ApiVersion, nad.Item.Kind, nad.Item.Metadata.NamespaceProperty, nad.Item.Metadata.Name, nad.Item.Metadata.Uid),
                        EventRecorder.Warning, "InvalidNetworkAttachmentDefinition", invalid);
                }

                // A NAD that appears, changes or goes may change the claims of any VMI that uses it (or, for a primary
                // network, of its namespace): the reconciles are cache-only unless something differs.
                keys.UnionWith(_vmis.Keys);
                return false;
            case ControllerWork.Listed<IpamClaim> claims:
                _claimsChanged = true;
                return Replace(_claims, claims.Items, "claims");
            case ControllerWork.Changed<IpamClaim> claim:
                _claimsChanged = true;
                Update(_claims, claim.Type, claim.Item);
                if (OwnerKey(claim.Item) is { } owner)
                {
                    keys.Add(owner);
                }

                return false;
            case ClaimRetry retry:
                keys.Add(retry.Key);
                return false;
            default:
                return false;
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = (key[..slash], key[(slash + 1)..]);
        var vm = _vms.GetValueOrDefault(key);
        var vmi = _vmis.GetValueOrDefault(key);
        var vmState = State(vm?.Metadata);
        var vmiState = State(vmi?.Metadata);
        var label = ObjectPatches.LabelValue(name);
        var claims = _claimsByVm[ns + "/" + label].ToList();

        if (ClaimCleanup.ShouldRemoveFinalizers(vmState, vmiState, VmiSpec.HasActivePods(vmi?.Status)))
        {
            foreach (var claim in claims.Where(c => c.Metadata.Finalizers is { } finalizers && finalizers.Contains(IpamClaim.Finalizer)))
            {
                await Guard(api.RemoveFinalizerAsync(claim, cancellationToken), key, cancellationToken);
                LogReleased(_logger, ns, claim.Metadata.Name);
            }

            _reported.Remove(key);
            return;
        }

        if (vmi is null || vmiState == ObjectState.Deleting)
        {
            return;
        }

        // KubeVirt makes a VM's VMI with an owner reference to it: until the VM is in the cache too, wait for it rather
        // than give the claims to the VMI (they would then go with the next stop).
        if (vm is null && vmi.Metadata.OwnerReferences?.Any(o => o.Kind == "VirtualMachine" && o.Name == name) == true)
        {
            return;
        }

        var plan = ClaimPlan.For(name, ns, VmiSpec.Read(vmi.Spec), Lookup, PrimaryOf(ns));
        if (plan.MissingNad is { } missing)
        {
            var nad = missing.ToString();
            LogNadMissing(_logger, key, nad);
            return;
        }

        if (plan.Error is { } error)
        {
            _ = Report(key, vmi.ApiVersion, vmi.Kind, vmi.Metadata, "InvalidNetworkAttachmentDefinition", error);
            return;
        }

        V1ObjectMeta ownerMeta = ClaimOwnership.OwnedByVm(vmState) ? vm!.Metadata : vmi.Metadata;
        var owner = new V1OwnerReference
        {
            ApiVersion = ClaimOwnership.OwnedByVm(vmState) ? vm!.ApiVersion : vmi.ApiVersion,
            Kind = ClaimOwnership.OwnedByVm(vmState) ? vm!.Kind : vmi.Kind,
            Name = ownerMeta.Name,
            Uid = ownerMeta.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };
        var conflicts = new List<string>();
        foreach (var desired in plan.Claims)
        {
            var existing = _claims.GetValueOrDefault(ns + "/" + desired.ClaimName);
            if (existing is null)
            {
                try
                {
                    existing = await api.CreateAsync(ns, name, desired, owner, cancellationToken);
                }
                catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogWriteFailed(_logger, ns + "/" + desired.ClaimName, (int)e.Response.StatusCode, e.Response.Content);
                    _ = Report(key, vmi.ApiVersion, vmi.Kind, vmi.Metadata, "IPAMClaimCreateFailed",
                        $"could not create IPAMClaim {desired.ClaimName}: {e.Response.Content}");

                    // A refused object (400/422: e.g. a name the API rejects) stays refused until the VMI changes.
                    if ((int)e.Response.StatusCode is not (400 or 422))
                    {
                        ScheduleRetry(key, cancellationToken);
                    }

                    continue;
                }

                if (existing is null)
                {
                    LogCreated(_logger, ns, desired.ClaimName, desired.Network, owner.Kind, desired.MacAddress);
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
                await Guard(api.SetMacAsync(existing, mac, cancellationToken), key, cancellationToken);
            }
        }

        if (conflicts.Count > 0)
        {
            var message = string.Join("; ", conflicts.Select(ClaimOwnership.ConflictMessage));
            var names = string.Join(", ", conflicts);
            LogConflict(_logger, key, names);
            if (Report(key, vmi.ApiVersion, vmi.Kind, vmi.Metadata, "IPAMClaimConflict", message) && vm is not null)
            {
                events.Record(new EventTarget(vm.ApiVersion, vm.Kind, ns, name, vm.Metadata.Uid), EventRecorder.Warning, "IPAMClaimConflict", message);
            }
        }
        else
        {
            _reported.Remove(key);
        }
    }

    private NadLookup Lookup(NadReference reference) =>
        _nads.TryGetValue(reference.ToString(), out var nad) ? NadLookup.Of(nad.Spec?.Config) : NadLookup.Missing;

    private NadNetworkConfig? PrimaryOf(string ns) =>
        PrimaryNetwork.Find(_nads.Values
            .Where(n => n.Metadata.NamespaceProperty == ns)
            .OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)
            .Select(n => n.Spec?.Config));

    /// <summary>A Warning Event on the object, once per distinct message for the key.</summary>
    private bool Report(string key, string apiVersion, string kind, V1ObjectMeta metadata, string reason, string message)
    {
        if (_reported.GetValueOrDefault(key) == message)
        {
            return false;
        }

        _reported[key] = message;
        LogProblem(_logger, key, reason, message);
        events.Record(new EventTarget(apiVersion, kind, metadata.NamespaceProperty, metadata.Name, metadata.Uid), EventRecorder.Warning, reason, message);
        return true;
    }

    private async Task Guard(Task write, string key, CancellationToken cancellationToken)
    {
        try
        {
            await write;
        }
        catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogWriteFailed(_logger, key, (int)e.Response.StatusCode, e.Response.Content);
            ScheduleRetry(key, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            LogWriteUnreachable(_logger, key, e);
            ScheduleRetry(key, cancellationToken);
        }
    }

    private void ScheduleRetry(string key, CancellationToken cancellationToken) =>
        _ = Task.Delay(RetryDelay, time, cancellationToken)
            .ContinueWith(_ => _work.Writer.TryWrite(new ClaimRetry(key)), cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private static ObjectState State(V1ObjectMeta? metadata) =>
        metadata is null ? ObjectState.Absent : metadata.DeletionTimestamp is null ? ObjectState.Present : ObjectState.Deleting;

    /// <summary>The VM/VMI key a claim belongs to, from its label (claims without it are not ours to look after).</summary>
    private static string? OwnerKey(IpamClaim claim) =>
        claim.Metadata.Labels.ValueOrNull(IpamClaim.VmLabel) is { Length: > 0 } vm ? claim.Metadata.NamespaceProperty + "/" + vm : null;

    private static string Key(V1ObjectMeta metadata) => metadata.NamespaceProperty + "/" + metadata.Name;

    private static string ClaimsByVmKey(IpamClaim claim) =>
        claim.Metadata.NamespaceProperty + "/" + claim.Metadata.Labels.ValueOrNull(IpamClaim.VmLabel);

    private bool Replace<T>(Dictionary<string, T> cache, IEnumerable<T> items, string what)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        cache.Clear();
        foreach (var item in items)
        {
            cache[Key(item.Metadata)] = item;
        }

        _listed.Add(what);
        return true;
    }

    private static string Update<T>(Dictionary<string, T> cache, WatchEventType type, T item)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var key = Key(item.Metadata);
        if (type == WatchEventType.Deleted)
        {
            cache.Remove(key);
        }
        else
        {
            cache[key] = item;
        }

        return key;
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "IPAM claims: {VirtualMachines} VMs, {Instances} VMIs, {Nads} NADs and {Claims} claims listed; reconciling")]
    private static partial void LogSynced(ILogger logger, int virtualMachines, int instances, int nads, int claims);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "IPAMClaim {Namespace}/{Claim} created for network {Network}, owned by the {OwnerKind}, MAC {Mac}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string claim, string network, string ownerKind, string? mac);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "IPAMClaim {Namespace}/{Claim} released to the garbage collector (finalizer removed)")]
    private static partial void LogReleased(ILogger logger, string @namespace, string claim);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "{Key}: IPAMClaims {Claims} belong to another object; not adopted")]
    private static partial void LogConflict(ILogger logger, string key, string claims);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "{Key}: NetworkAttachmentDefinition {Nad} does not exist (yet); waiting for it")]
    private static partial void LogNadMissing(ILogger logger, string key, string nad);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "{Key}: {Reason}: {Message}")]
    private static partial void LogProblem(ILogger logger, string key, string reason, string message);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Write for {Target} failed with {Status}: {Body}; retrying")]
    private static partial void LogWriteFailed(ILogger logger, string target, int status, string body);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "Write for {Target} could not reach the API server; retrying")]
    private static partial void LogWriteUnreachable(ILogger logger, string target, Exception exception);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Error, Message = "IPAM claim reconcile of {Key} failed; retrying")]
    private static partial void LogReconcileFailed(ILogger logger, string key, Exception exception);
}
