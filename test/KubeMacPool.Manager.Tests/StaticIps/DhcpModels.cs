using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Tests.StaticIps;

internal static class DhcpModels
{
    public static IpPool NewPool(string name, string network, string cidr, string server, string? start = null, string? end = null, string? dns = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Generation = 1 },
        Spec = new IpPoolSpec
        {
            Network = network,
            Cidr = cidr,
            ServerIp = server,
            Range = start is null && end is null ? null : new IpPoolRange { Start = start, End = end },
            Dns = dns is null ? null : [dns],
        },
    };

    public static IpReservation NewReservation(
        string name, string network, string mac, string? pinned = null, string? pool = null, string? address = null, int age = 0) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "ns",
                CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(-age),
            },
            Spec = new IpReservationSpec { VirtualMachine = name.Split('.')[0], Interface = "net1", Network = network, MacAddress = mac, IpAddress = pinned },
            Status = pool is null ? null : new IpReservationStatus { Pool = pool, Address = address, MacAddress = mac },
        };
}
