using System.Text.Json.Nodes;
using k8s.Models;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Plugin.Tests;

public class QueriesTests
{
    private static JsonObject Vm(string ns, string name, string mac) => JsonNode.Parse("""
        {"metadata":{"namespace":"@NS","name":"@NAME"},"spec":{"template":{"spec":{
          "domain":{"devices":{"interfaces":[{"name":"br1","bridge":{},"macAddress":"@MAC"}]}},
          "networks":[{"name":"br1","multus":{"networkName":"br1"}}]}}}}
        """.Replace("@NS", ns, StringComparison.Ordinal).Replace("@NAME", name, StringComparison.Ordinal).Replace("@MAC", mac, StringComparison.Ordinal))!.AsObject();

    private static JsonObject Vmi(string ns, string name, string mac, string phase = "Running", string? migration = null)
    {
        var vmi = JsonNode.Parse("""
            {"metadata":{"namespace":"@NS","name":"@NAME"},"spec":{"domain":{"devices":{"interfaces":[{"name":"br1","bridge":{},"macAddress":"@MAC"}]}},
              "networks":[{"name":"br1","multus":{"networkName":"br1"}}]},
             "status":{"phase":"@PHASE","interfaces":[{"name":"br1","mac":"@MAC"}]}}
            """.Replace("@NS", ns, StringComparison.Ordinal).Replace("@NAME", name, StringComparison.Ordinal).Replace("@MAC", mac, StringComparison.Ordinal)
            .Replace("@PHASE", phase, StringComparison.Ordinal))!.AsObject();
        if (migration is not null)
        {
            vmi["status"]!["migrationState"] = new JsonObject { ["sourceState"] = new JsonObject { ["migrationUID"] = migration } };
        }

        return vmi;
    }

    private static V1Pod Pod(string ns, string name, string mac, bool running = true) => new()
    {
        Metadata = new V1ObjectMeta
        {
            NamespaceProperty = ns,
            Name = name,
            Annotations = new Dictionary<string, string>
            {
                ["k8s.v1.cni.cncf.io/networks"] = $$"""[{"name":"net1","mac":"{{mac}}"}]""",
                ["k8s.v1.cni.cncf.io/network-status"] = "[]",
            },
        },
        Status = new V1PodStatus { Phase = running ? "Running" : "Pending" },
    };

    private static Inventory Seeded()
    {
        var inventory = new Inventory();
        inventory.AddVirtualMachine(Vm("a", "vm1", "02-00-00-00-00-AA"));
        inventory.AddVirtualMachineInstance(Vmi("a", "vm1", "02:00:00:00:00:aa"));
        inventory.AddPod(Pod("b", "p1", "0200.0000.00aa"));
        inventory.AddPod(Pod("b", "p2", "0a:00:00:00:00:01", running: false));
        inventory.AddVirtualMachineInstance(Vmi("c", "src", "02:00:00:00:00:bb", migration: "m1"));
        inventory.AddVirtualMachineInstance(Vmi("d", "dst", "02:00:00:00:00:bb", migration: "m1"));
        return inventory;
    }

    [Fact]
    public void Who_has_finds_every_holder_whatever_the_spelling()
    {
        var result = Queries.WhoHas(Seeded(), MacAddress.Parse("02:00:00:00:00:AA"));
        Assert.Equal(
            ["Pod b/p1 net1", "VirtualMachine a/vm1 br1", "VirtualMachineInstance a/vm1 br1"],
            result.Holders.Select(h => $"{h.Kind} {h.Namespace}/{h.Name} {h.Interface}"));
        Assert.Empty(Queries.WhoHas(Seeded(), MacAddress.Parse("02:00:00:00:00:01")).Holders);
    }

    [Fact]
    public void Check_range_lists_the_held_macs_a_range_would_leave_outside()
    {
        var range = MacRange.TryParse("02:00:00:00:00:00", "02:00:00:00:00:af", out var r, out _) ? r : throw new InvalidOperationException();
        var result = Queries.CheckRange(Seeded(), range);
        Assert.Equal(3, result.HeldMacs);
        Assert.Equal(["02:00:00:00:00:bb", "0a:00:00:00:00:01"], result.Macs.Select(m => m.Mac));
        Assert.Equal(2, result.Macs[0].Holders.Count);
    }

    [Fact]
    public void Collisions_follow_the_services_rule_running_objects_only_migration_pairs_excepted()
    {
        var result = Queries.Collisions(Seeded());
        var collision = Assert.Single(result.Collisions);
        Assert.Equal("02:00:00:00:00:aa", collision.Mac);
        Assert.Equal(["pod/b/p1", "vmi/a/vm1"], collision.Objects);
    }

    [Fact]
    public void Tables_json_and_yaml_carry_the_same_answer()
    {
        var result = Queries.Collisions(Seeded());
        Assert.Equal("MAC                 OBJECTS\n02:00:00:00:00:aa   pod/b/p1, vmi/a/vm1\n", Output.Render(result, OutputFormat.Table));
        Assert.Equal("02:00:00:00:00:aa", JsonNode.Parse(Output.Render(result, OutputFormat.Json))!["collisions"]![0]!["mac"]!.GetValue<string>());
        Assert.Contains("- mac: 02:00:00:00:00:aa", Output.Render(result, OutputFormat.Yaml), StringComparison.Ordinal);
    }
}
