using System.Net;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Ipv4;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.DhcpAgent;

/// <summary>What the agent serves for one pool: its options and the reservations whose status says they are in it.</summary>
internal sealed record LeaseBookContent(
    DhcpNetworkSettings Settings, IReadOnlyList<DhcpReservation> Reservations, IReadOnlyDictionary<MacAddress, IpReservation> Sources)
{
    /// <summary>
    /// Builds the book's content, or says why the pool cannot be served. A reservation being deleted is no longer
    /// served; of two reservations with one MAC or one address (never written by the controller, but possible by
    /// hand), the older one wins, so one bad entry cannot silence the others.
    /// </summary>
    public static LeaseBookContent? Build(IpPool pool, IEnumerable<IpReservation> reservations, out string? error)
    {
        var validation = IpPoolValidator.Validate(pool.ToInput(), []);
        if (validation.Definition is not { } definition)
        {
            error = validation.ErrorMessage;
            return null;
        }

        var settings = new DhcpNetworkSettings
        {
            ServerAddress = Address(definition.ServerIp),
            SubnetMask = Address(definition.Cidr.Mask),
            Router = definition.Router is { } router ? Address(router) : null,
            DnsServers = [.. definition.Dns.Select(Address)],
            DomainName = definition.DomainName,
            SearchDomains = definition.SearchDomains,
            NtpServers = [.. definition.Ntp.Select(Address)],
            LeaseTime = TimeSpan.FromSeconds(definition.LeaseTimeSeconds),
            InterfaceMtu = definition.Mtu,
        };

        var byMac = new Dictionary<MacAddress, IpReservation>();
        var served = new List<DhcpReservation>();
        var addresses = new HashSet<uint>();
        foreach (var reservation in reservations
            .Where(r => r.Metadata.DeletionTimestamp is null && r.Status?.Pool == pool.Metadata.Name)
            .OrderBy(r => r.Metadata.CreationTimestamp ?? DateTime.MaxValue))
        {
            if (MacAddress.TryParse(reservation.Status!.MacAddress, out var mac)
                && Ipv4.TryParse(reservation.Status.Address, out var address)
                && definition.Cidr.Contains(address)
                && !byMac.ContainsKey(mac)
                && addresses.Add(address))
            {
                byMac[mac] = reservation;
                served.Add(new DhcpReservation(mac, Address(address), HostName(reservation.Spec.VirtualMachine)));
            }
        }

        error = null;
        return new LeaseBookContent(settings, served, byMac);
    }

    private static IPAddress Address(uint address) => new([(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address]);

    /// <summary>Option 12 is the VM's name when it is a plain host label.</summary>
    private static string? HostName(string vmName) =>
        vmName.Length is > 0 and <= 63 && vmName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && vmName[0] != '-' && vmName[^1] != '-'
            ? vmName
            : null;
}
