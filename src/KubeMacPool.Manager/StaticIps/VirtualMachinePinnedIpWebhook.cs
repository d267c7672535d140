using System.Text.Json;
using k8s;
using KubeMacPool.Core.Networks;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// <c>/validate-virtualmachine-pinned-ips</c>: a VM's <c>kubemacpool.io/pinned-ips</c> must be well-formed, name
/// interfaces on pooled networks, and ask for addresses inside a pool's range that are neither excluded nor reserved
/// for another interface. Runs after the mutating webhooks, so it sees the final MACs and interfaces. A VM without the
/// annotation (or one whose annotation did not change) passes untouched.
/// </summary>
internal sealed class VirtualMachinePinnedIpWebhook(IpamState state) : IAdmissionWebhook
{
    public string Name => "validatepinnedips.kubemacpool.io";

    public ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var text = Annotation(request.Object);
        if (text is null || JsonNav.Path(request.Object, "metadata", "deletionTimestamp") is not null
            || (request.Operation == "UPDATE" && text == Annotation(request.OldObject)))
        {
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        if (!PinnedIpAnnotation.TryParse(text, out var pins, out var error))
        {
            return ValueTask.FromResult(AdmissionResult.Deny(error!, 422));
        }

        if (!state.IsSynced)
        {
            return ValueTask.FromResult(AdmissionResult.Deny("kubemacpool has not loaded the IP pools yet; retry shortly", 503));
        }

        var vm = KubernetesJson.Deserialize<VirtualMachine>(request.Object!.Value.GetRawText());
        var ns = vm.Metadata.NamespaceProperty ?? request.Namespace ?? "";
        var name = vm.Metadata.Name ?? request.Name ?? "";
        var desired = DesiredReservations.For(ns, name, vm.Spec, pins, state.IsPooled);
        var problems = new List<string>();
        foreach (var (iface, address) in pins)
        {
            var reservation = desired.FirstOrDefault(d => d.Interface == iface);
            if (reservation is null)
            {
                problems.Add($"interface {iface} is not an interface with a MAC on a network that an IPPool serves");
            }
            else if (state.CheckPinned(reservation.Network, iface, address, ns + "/" + reservation.Name) is { } refusal)
            {
                problems.Add(refusal);
            }
        }

        return ValueTask.FromResult(problems.Count == 0
            ? AdmissionResult.Allow()
            : AdmissionResult.Deny($"annotation {PinnedIpAnnotation.Name}: {string.Join("; ", problems)}", 422));
    }

    // GetString throws on a value that is not a string, as the node tree did: a garbled object is an internal error.
    private static string? Annotation(JsonElement? vm) =>
        JsonNav.Path(vm, "metadata", "annotations", PinnedIpAnnotation.Name)?.GetString();
}
