using System.Text.Json.Nodes;
using KubeMacPool.Core.Ipam;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Ipam;

/// <summary>VMIs and NAD sets for the persistent-IP tests (the names of ipam-extensions' own tests).</summary>
internal static class IpamJson
{
    public const string Persistent = """{"name":"goodnet","allowPersistentIPs":true}""";
    public const string NotPersistent = """{"name":"goodnet"}""";
    public const string Primary = """{"name":"primarynet","role":"primary","allowPersistentIPs":true,"subnets":"192.168.0.0/16,fd12:1234::123/64"}""";

    /// <summary>A VMI spec: a pod network "podnet" (MAC <paramref name="podMac"/>) and a Multus network "randomnet" on NAD <paramref name="nad"/>.</summary>
    public static VirtualMachineInterfaces Vmi(string nad = "ns1/supadupanet", string? podMac = null, string? secondaryMac = null, bool multusDefault = false, bool withPod = true)
    {
        var interfaces = new JsonArray();
        var networks = new JsonArray();
        if (withPod)
        {
            interfaces.Add(Interface("podnet", podMac));
            networks.Add(new JsonObject { ["name"] = "podnet", ["pod"] = new JsonObject() });
        }

        interfaces.Add(Interface("randomnet", secondaryMac));
        var multus = new JsonObject { ["networkName"] = nad };
        if (multusDefault)
        {
            multus["default"] = true;
        }

        networks.Add(new JsonObject { ["name"] = "randomnet", ["multus"] = multus });
        return VmiSpec.Read(new JsonObject
        {
            ["domain"] = new JsonObject { ["devices"] = new JsonObject { ["interfaces"] = interfaces } },
            ["networks"] = networks,
        });
    }

    public static Func<NadReference, NadLookup> Nads(params (string Reference, string Config)[] nads) =>
        reference => nads.FirstOrDefault(n => n.Reference == reference.ToString()) is { Reference: not null } hit
            ? NadLookup.Of(hit.Config)
            : NadLookup.Missing;

    private static JsonObject Interface(string name, string? mac)
    {
        var iface = new JsonObject { ["name"] = name, ["bridge"] = new JsonObject() };
        if (mac is not null)
        {
            iface["macAddress"] = mac;
        }

        return iface;
    }
}
