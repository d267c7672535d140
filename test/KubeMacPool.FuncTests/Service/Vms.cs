using System.Text.Json.Nodes;

namespace KubeMacPool.FuncTests.Service;

/// <summary>VirtualMachine bodies as upstream's tests build them: bridge interfaces on Multus networks of the same name.</summary>
public static class Vms
{
    public static JsonObject Bridged(string name, params (string Interface, string? Mac)[] interfaces)
    {
        var ifaces = new JsonArray();
        var networks = new JsonArray();
        foreach (var (iface, mac) in interfaces)
        {
            var entry = new JsonObject { ["name"] = iface, ["bridge"] = new JsonObject() };
            if (mac is not null)
            {
                entry["macAddress"] = mac;
            }

            ifaces.Add(entry);
            networks.Add(new JsonObject { ["name"] = iface, ["multus"] = new JsonObject { ["networkName"] = iface } });
        }

        return new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1",
            ["kind"] = "VirtualMachine",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["runStrategy"] = "Halted",
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["domain"] = new JsonObject
                        {
                            ["devices"] = new JsonObject { ["interfaces"] = ifaces, ["disks"] = new JsonArray(new JsonObject { ["name"] = "disk0", ["io"] = "native" }) },
                            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["memory"] = "128Mi" } },
                        },
                        ["networks"] = networks,
                    },
                },
            },
        };
    }

    public static IReadOnlyList<string?> Macs(JsonObject vm) =>
        vm["spec"]!["template"]!["spec"]!["domain"]!["devices"]!["interfaces"]!.AsArray()
            .Select(i => i!["macAddress"]?.GetValue<string>())
            .ToList();

    public static string? Timestamp(JsonObject vm) =>
        vm["metadata"]?["annotations"]?["kubemacpool.io/transaction-timestamp"]?.GetValue<string>();
}
