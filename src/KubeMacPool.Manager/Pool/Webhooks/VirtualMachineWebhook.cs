using System.Text.Json;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Networks;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Admission;

namespace KubeMacPool.Manager.Pool.Webhooks;

/// <summary>
/// <c>/mutate-virtualmachines</c>: gives every VM interface that needs one a MAC from the pool, keeps MACs the
/// user chose, and stamps the transaction timestamp that lets the controller commit the reservation once the
/// VM is persisted. Patches only the fields it changes.
/// </summary>
internal sealed class VirtualMachineWebhook(MacPool pool, TimeProvider time, ClaimedMacs claimedMacs) : IAdmissionWebhook
{
    public string Name => WellKnown.VirtualMachinesWebhook;

    public ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var vm = request.Object!.Value;
        var metadata = JsonNav.Child(vm, "metadata"u8);
        if (JsonNav.Child(metadata, "deletionTimestamp"u8) is not null)
        {
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        var current = VirtualMachineInterfaces.Read(vm);
        if (!current.HasTemplate)
        {
            return ValueTask.FromResult(AdmissionResult.Allow(message: "virtual machine template is nil, ignoring virtual machine"));
        }

        if (current.Error is { } malformed)
        {
            return ValueTask.FromResult(AdmissionResult.BadRequest(malformed));
        }

        var owner = MacOwner.VirtualMachine(
            JsonNav.Child(metadata, "namespace"u8)?.GetString() ?? request.Namespace ?? "",
            JsonNav.Child(metadata, "name"u8)?.GetString() ?? request.Name ?? "");
        return ValueTask.FromResult(request.Operation == "UPDATE" && request.OldObject is { } old
            ? Update(owner, old, vm, current, request.IsDryRun)
            : Create(owner, vm, current, request.IsDryRun));
    }

    private AdmissionResult Create(MacOwner owner, JsonElement vm, VirtualMachineInterfaces interfaces, bool dryRun)
    {
        var stamp = TransactionTimestamp.Now(time);
        var patch = new JsonPatch().SetAnnotation(vm, WellKnown.TransactionTimestampAnnotation, stamp.Text);
        if (interfaces.Interfaces.Count == 0)
        {
            return AdmissionResult.Allow(patch);
        }

        if (ValidateSpec(interfaces) is { } invalid)
        {
            return AdmissionResult.Deny("Failed to create virtual machine allocation error: " + invalid);
        }

        var getting = interfaces.InterfacesGettingMacs;
        var requests = new MacRequest[getting.Count];
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i] = getting[i].MacAddress is { } mac ? MacRequest.Requested(getting[i].Name, mac) : MacRequest.Allocate(getting[i].Name);
        }

        var result = pool.Reserve(owner, requests, dryRun ? null : stamp.Value, dryRun);
        if (!result.Succeeded)
        {
            return AdmissionResult.Deny("Failed to create virtual machine allocation error: Failed to allocate mac to the vm object: " + result.Error);
        }

        AddAllocatedMacs(patch, interfaces, result);
        return AdmissionResult.Allow(patch);
    }

    private AdmissionResult Update(MacOwner owner, JsonElement old, JsonElement vm, VirtualMachineInterfaces interfaces, bool dryRun)
    {
        if (!MeaningfullyChanged(old, vm))
        {
            return AdmissionResult.Allow();
        }

        var stamp = TransactionTimestamp.Now(time);
        var patch = new JsonPatch().SetAnnotation(vm, WellKnown.TransactionTimestampAnnotation, stamp.Text);
        if (!VirtualMachineInterfaces.InterfacesDiffer(old, vm))
        {
            return AdmissionResult.Allow(patch);
        }

        if (ValidateSpec(interfaces) is { } invalid)
        {
            return AdmissionResult.Deny("Failed to update virtual machine allocation error: " + invalid);
        }

        var (plans, removed) = InterfaceUpdatePlan.Compute(VirtualMachineInterfaces.Read(old), interfaces, SameMac);
        var requests = new List<MacRequest>();
        var fromClaims = new List<(int Index, string Name, string Mac)>();
        foreach (var plan in plans)
        {
            var name = plan.Interface.Name;
            switch (plan.Change)
            {
                case InterfaceChange.RestoreOld:
                    // Re-applying a spec without MACs must not change them.
                    patch.Add(VirtualMachineInterfaces.MacAddressPointer(plan.Interface.Index), plan.OldMac!);
                    break;
                case InterfaceChange.Changed:
                    if (ClaimedMacChange(vm, name, plan.Interface.MacAddress!) is { } refused)
                    {
                        return AdmissionResult.Deny("Failed to update virtual machine allocation error: " + refused);
                    }

                    requests.Add(MacRequest.Requested(name, plan.Interface.MacAddress!));
                    if (MacAddress.TryParse(plan.OldMac, out var replaced))
                    {
                        requests.Add(MacRequest.Touch(name, replaced));
                    }

                    break;
                case InterfaceChange.NewRequested:
                    if (ClaimedMacChange(vm, name, plan.Interface.MacAddress!) is { } refusedNew)
                    {
                        return AdmissionResult.Deny("Failed to update virtual machine allocation error: " + refusedNew);
                    }

                    requests.Add(MacRequest.Requested(name, plan.Interface.MacAddress!));
                    break;
                case InterfaceChange.NewAllocate when ClaimedMac(vm, name) is { } claimed:
                    // An interface re-added while its IPAMClaim still exists gets the MAC the claim was made with.
                    requests.Add(MacRequest.Requested(name, claimed));
                    fromClaims.Add((plan.Interface.Index, name, claimed));
                    break;
                case InterfaceChange.NewAllocate:
                    requests.Add(MacRequest.Allocate(name));
                    break;
            }
        }

        // Removed interfaces keep their MACs until the update is seen persisted; commit then releases them.
        requests.AddRange(removed
            .Where(r => MacAddress.TryParse(r.MacAddress, out _))
            .Select(r => MacRequest.Touch(r.Name, MacAddress.Parse(r.MacAddress!))));

        var result = pool.Reserve(owner, requests, dryRun ? null : stamp.Value, dryRun);
        if (!result.Succeeded && fromClaims.Count > 0)
        {
            // The claimed MAC went to another object meanwhile: a fresh one (the claim controller records it).
            requests = [.. requests.Select(r => fromClaims.Any(c => c.Name == r.InterfaceKey) && r.Kind == MacRequestKind.Requested ? MacRequest.Allocate(r.InterfaceKey) : r)];
            fromClaims.Clear();
            result = pool.Reserve(owner, requests, dryRun ? null : stamp.Value, dryRun);
        }

        if (!result.Succeeded)
        {
            return AdmissionResult.Deny("Failed to update virtual machine allocation error: " + result.Error);
        }

        foreach (var (index, _, mac) in fromClaims)
        {
            patch.Add(VirtualMachineInterfaces.MacAddressPointer(index), mac);
        }

        AddAllocatedMacs(patch, interfaces, result);
        return AdmissionResult.Allow(patch);
    }

    /// <summary>Unique interface names, parseable MACs, no MAC twice in one VM (in any syntax).</summary>
    private static string? ValidateSpec(VirtualMachineInterfaces interfaces)
    {
        Dictionary<MacAddress, string>? seen = null; // most VMs ask for no MAC of their own
        for (var i = 0; i < interfaces.Interfaces.Count; i++)
        {
            var iface = interfaces.Interfaces[i];
            if (iface.MacAddress is null)
            {
                continue;
            }

            if (!MacAddress.TryParse(iface.MacAddress, out var mac, out var error))
            {
                return $"Failed to allocate mac to the vm object: invalid MAC address format for interface {iface.Name}: {iface.MacAddress}: {error}";
            }

            seen ??= [];
            if (!seen.TryAdd(mac, iface.Name))
            {
                return $"Failed to allocate mac to the vm object: duplicate MAC address {mac} found on interfaces: {seen[mac]} and {iface.Name}";
            }
        }

        return interfaces.DuplicateNameError();
    }

    /// <summary>Persistent IPs: an interface with an IPAMClaim keeps the MAC the claim records (null: the change may go ahead).</summary>
    private string? ClaimedMacChange(JsonElement vm, string interfaceName, string newMac) =>
        ClaimedMac(vm, interfaceName) is { } claimed && !SameMac(claimed, newMac) ? ClaimedMacs.ChangeRefused(interfaceName, claimed) : null;

    private string? ClaimedMac(JsonElement vm, string interfaceName) =>
        claimedMacs.Find(Metadata(vm, "namespace") ?? "", Metadata(vm, "name") ?? "", Metadata(vm, "uid"), interfaceName);

    // GetString throws on a value that is not a string or null, as the node tree did: a garbled object is an internal error.
    private static string? Metadata(JsonElement vm, string field) => JsonNav.Path(vm, "metadata", field)?.GetString();

    private static void AddAllocatedMacs(JsonPatch patch, VirtualMachineInterfaces interfaces, ReservationResult result)
    {
        // Indexed loops here and below: a foreach over the list interfaces boxes an enumerator on every review.
        for (var i = 0; i < result.Assignments.Count; i++)
        {
            var assignment = result.Assignments[i];
            if (assignment.Allocated)
            {
                patch.Add(VirtualMachineInterfaces.MacAddressPointer(FirstNamed(interfaces, assignment.InterfaceKey).Index), assignment.Mac.ToString());
            }
        }
    }

    private static VmInterface FirstNamed(VirtualMachineInterfaces interfaces, string name)
    {
        for (var i = 0; i < interfaces.Interfaces.Count; i++)
        {
            if (interfaces.Interfaces[i].Name == name)
            {
                return interfaces.Interfaces[i];
            }
        }

        throw new InvalidOperationException("no interface " + name); // the pool answers only for the interfaces asked
    }

    /// <summary>
    /// Spec, labels or annotations (other than our timestamp) changed. Finalizer or ownerReference edits do not
    /// count, so they never start a transaction.
    /// </summary>
    private static bool MeaningfullyChanged(JsonElement old, JsonElement vm) =>
        !SameValue(JsonNav.Child(old, "spec"), JsonNav.Child(vm, "spec"))
        || !SameValue(JsonNav.Path(old, "metadata", "labels"), JsonNav.Path(vm, "metadata", "labels"))
        || !SameAnnotationsBesidesTimestamp(JsonNav.Path(old, "metadata", "annotations"), JsonNav.Path(vm, "metadata", "annotations"));

    // Absent and null are the same (no value), as in the node tree the comparison was first written on.
    private static bool SameValue(JsonElement? a, JsonElement? b) =>
        a is { } x ? b is { } y && JsonElement.DeepEquals(x, y) : b is null;

    // Annotations that are not a map count as none.
    private static bool SameAnnotationsBesidesTimestamp(JsonElement? old, JsonElement? current)
    {
        var (a, b) = (Annotations(old), Annotations(current));
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !JsonElement.DeepEquals(value, other))
            {
                return false;
            }
        }

        return true;

        static Dictionary<string, JsonElement> Annotations(JsonElement? map)
        {
            var annotations = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (map is { ValueKind: JsonValueKind.Object } obj)
            {
                foreach (var property in obj.EnumerateObject())
                {
                    if (property.Name != WellKnown.TransactionTimestampAnnotation)
                    {
                        annotations[property.Name] = property.Value;
                    }
                }
            }

            return annotations;
        }
    }

    private static bool SameMac(string a, string b) =>
        MacAddress.TryParse(a, out var x) && MacAddress.TryParse(b, out var y) ? x == y : string.Equals(a, b, StringComparison.Ordinal);
}
