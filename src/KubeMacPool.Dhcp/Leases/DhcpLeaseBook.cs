using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Dhcp.Leases;

/// <summary>
/// The agent's table of fixed leases. Thread-safe: <see cref="Replace"/> validates the new pool state and swaps one
/// immutable snapshot in atomically; a request is answered entirely from the snapshot it started with.
/// </summary>
public sealed class DhcpLeaseBook
{
    private LeaseSnapshot? _snapshot;
    private long _generation;

    /// <summary>False until the first <see cref="Replace"/> (and after <see cref="Clear"/>): the agent stays silent.</summary>
    public bool IsReady => Volatile.Read(ref _snapshot) is not null;

    /// <summary>The settings of the current snapshot, null before the first <see cref="Replace"/>.</summary>
    public DhcpNetworkSettings? Settings => Volatile.Read(ref _snapshot)?.Settings;

    /// <summary>Reservations in the current snapshot.</summary>
    public int Count => Volatile.Read(ref _snapshot)?.ByMac.Count ?? 0;

    /// <summary>
    /// Installs a new pool state. Settings that cannot be served (not IPv4, a non-contiguous mask, a bad lease time,
    /// MTU, search domain or route) throw <see cref="ArgumentException"/> and the previous snapshot stays. A bad
    /// reservation only costs itself: a MAC listed twice or one address for two MACs leaves out every entry involved
    /// (serving either could hand one address to two hosts), as does an address outside the server's subnet or equal
    /// to the server's; the rest is installed and the returned list says what was left out and why.
    /// </summary>
    public IReadOnlyList<string> Replace(DhcpNetworkSettings settings, IEnumerable<DhcpReservation> reservations)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(reservations);
        ValidateSettings(settings);
        var list = reservations.ToList();
        var rejected = new List<string>();
        var server = IPv4.ToUInt32(settings.ServerAddress);
        var mask = IPv4.ToUInt32(settings.SubnetMask);
        var macCounts = list.CountBy(reservation => reservation.Mac).ToDictionary();
        var addressCounts = list.Where(reservation => reservation.Address is not null).CountBy(reservation => reservation.Address).ToDictionary();
        var byMac = new Dictionary<MacAddress, DhcpReservation>(list.Count);
        foreach (var reservation in list)
        {
            var problem = reservation switch
            {
                { Address: null } or { Address.AddressFamily: not AddressFamily.InterNetwork } => $"address '{reservation.Address}' is not IPv4",
                _ when macCounts[reservation.Mac] > 1 => $"MAC is reserved {macCounts[reservation.Mac]} times",
                _ when addressCounts[reservation.Address] > 1 => $"{reservation.Address} is reserved for {addressCounts[reservation.Address]} MACs",
                _ when (IPv4.ToUInt32(reservation.Address) & mask) != (server & mask) => $"{reservation.Address} is outside the server's subnet {settings.ServerAddress}/{IPv4.PrefixLength(mask)}",
                _ when IPv4.ToUInt32(reservation.Address) == server => $"{reservation.Address} is the server's own address",
                _ => null,
            };
            if (problem is null)
            {
                byMac[reservation.Mac] = reservation;
            }
            else
            {
                rejected.Add($"{reservation.Mac} → {reservation.Address}: {problem}");
            }
        }

        var generation = Interlocked.Increment(ref _generation);
        Volatile.Write(ref _snapshot, new LeaseSnapshot(settings, byMac.ToFrozenDictionary(), generation));
        return rejected;
    }

    /// <summary>Forgets the pool (it was deleted): the agent goes silent until the next <see cref="Replace"/>.</summary>
    public void Clear() => Volatile.Write(ref _snapshot, null);

    /// <summary>The reservation of <paramref name="mac"/> in the current snapshot.</summary>
    public bool TryGetReservation(MacAddress mac, [NotNullWhen(true)] out DhcpReservation? reservation)
    {
        reservation = null;
        return Volatile.Read(ref _snapshot)?.ByMac.TryGetValue(mac, out reservation) == true;
    }

    internal LeaseSnapshot? Snapshot => Volatile.Read(ref _snapshot);

    private static void ValidateSettings(DhcpNetworkSettings settings)
    {
        RequireIPv4(settings.ServerAddress, nameof(settings.ServerAddress));
        RequireIPv4(settings.SubnetMask, nameof(settings.SubnetMask));
        if (!IPv4.IsContiguousMask(IPv4.ToUInt32(settings.SubnetMask)))
        {
            throw new ArgumentException($"subnet mask {settings.SubnetMask} is not contiguous", nameof(settings));
        }

        if (settings.Router is { } router)
        {
            RequireIPv4(router, nameof(settings.Router));
        }

        foreach (var dns in settings.DnsServers)
        {
            RequireIPv4(dns, nameof(settings.DnsServers));
        }

        foreach (var ntp in settings.NtpServers)
        {
            RequireIPv4(ntp, nameof(settings.NtpServers));
        }

        if (settings.LeaseTime != Timeout.InfiniteTimeSpan && settings.LeaseTime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"lease time {settings.LeaseTime} is shorter than one second", nameof(settings));
        }

        if (settings.InterfaceMtu is < 68 or > ushort.MaxValue)
        {
            throw new ArgumentException($"interface MTU {settings.InterfaceMtu} is outside 68..65535", nameof(settings));
        }

        if (settings.DomainName is { Length: > 255 })
        {
            throw new ArgumentException("domain name is longer than 255 characters", nameof(settings));
        }

        foreach (var domain in settings.SearchDomains)
        {
            if (!Protocol.DomainSearchEncoding.IsValidName(domain))
            {
                throw new ArgumentException($"search domain '{domain}' is not a valid DNS name", nameof(settings));
            }
        }

        foreach (var route in settings.ClasslessRoutes)
        {
            RequireIPv4(route.Destination, "classless route destination");
            RequireIPv4(route.Gateway, "classless route gateway");
            if (route.PrefixLength is < 0 or > 32)
            {
                throw new ArgumentException($"classless route prefix /{route.PrefixLength} is outside 0..32", nameof(settings));
            }
        }
    }

    private static void RequireIPv4(IPAddress? address, string what)
    {
        if (address is null || address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{what} must be an IPv4 address, got '{address}'", what);
        }
    }
}
