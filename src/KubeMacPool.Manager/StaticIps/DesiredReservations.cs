using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>One IPReservation a VM needs: an interface on a pooled network, with its canonical MAC.</summary>
internal sealed record DesiredReservation(string Name, string Interface, string Network, string MacAddress, string? PinnedIp);

/// <summary>
/// Which reservations a VM needs: one per template interface bound to a Multus network that a pool serves and that
/// has a MAC (the MAC webhook gives every managed interface one at admission). Other interfaces are left alone;
/// nothing about one interface can fail the others.
/// </summary>
internal static class DesiredReservations
{
    public static IReadOnlyList<DesiredReservation> For(
        string @namespace, string vmName, JsonObject? vmSpec, IReadOnlyDictionary<string, string> pinnedIps, Func<string, bool> isPooled)
    {
        var view = VirtualMachineInterfaces.ReadSpec(vmSpec);
        if (!view.HasTemplate || view.Error is not null)
        {
            return [];
        }

        var result = new List<DesiredReservation>();
        foreach (var iface in view.Interfaces)
        {
            if (view.FindNetwork(iface.Name) is not { Source: NetworkSource.Multus, MultusNetworkName: { Length: > 0 } multus }
                || !MacAddress.TryParse(iface.MacAddress, out var mac))
            {
                continue;
            }

            var network = NetworkReference(@namespace, multus);
            if (isPooled(network) && result.All(r => r.Interface != iface.Name))
            {
                result.Add(new DesiredReservation(
                    ReservationName(vmName, iface.Name), iface.Name, network, mac.ToString(), pinnedIps.GetValueOrDefault(iface.Name)));
            }
        }

        return result;
    }

    /// <summary>A Multus <c>networkName</c> as <c>namespace/name</c>: a bare name is in the VM's namespace.</summary>
    public static string NetworkReference(string vmNamespace, string multusNetworkName) =>
        multusNetworkName.Contains('/', StringComparison.Ordinal) ? multusNetworkName : vmNamespace + "/" + multusNetworkName;

    /// <summary>
    /// <c>vm.interface</c> (readable in <c>kubectl get</c>); a hash suffix keeps it unique and within 253 characters
    /// when the interface name is not a plain label or the whole is too long.
    /// </summary>
    public static string ReservationName(string vmName, string interfaceName)
    {
        var plain = vmName + "." + interfaceName;
        var isLabel = interfaceName.Length is > 0 and <= 63
            && interfaceName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && interfaceName[0] != '-' && interfaceName[^1] != '-';
        if (isLabel && plain.Length <= 253)
        {
            return plain;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(vmName + "\0" + interfaceName)))[..10];
        return vmName[..Math.Min(vmName.Length, 200)] + ".if-" + hash;
    }
}
