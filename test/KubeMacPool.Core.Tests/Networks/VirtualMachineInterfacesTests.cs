using System.Text.Json.Nodes;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Tests.Networks;

public class VirtualMachineInterfacesTests
{
    private static JsonObject Vm(string interfaces, string networks) =>
        JsonNode.Parse("{\"spec\":{\"template\":{\"spec\":{\"domain\":{\"devices\":{\"interfaces\":" + interfaces
            + "}},\"networks\":" + networks + "}}}}")!.AsObject();

    [Fact]
    public void Masquerade_on_the_pod_network_and_any_multus_interface_get_macs()
    {
        var vm = VirtualMachineInterfaces.Read(Vm(
            """[{"name":"default","masquerade":{}},{"name":"br1","bridge":{}},{"name":"sr","sriov":{}},{"name":"plug","binding":{"name":"x"}}]""",
            """[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}},{"name":"sr","multus":{"networkName":"sr"}},{"name":"plug","multus":{"networkName":"p","default":true}}]"""));
        Assert.Null(vm.Error);
        Assert.All(vm.Interfaces, i => Assert.True(vm.GetsMac(i), i.Name));
    }

    [Theory]
    [InlineData("""[{"name":"default","bridge":{}}]""", """[{"name":"default","pod":{}}]""")]
    [InlineData("""[{"name":"default","passt":{}}]""", """[{"name":"default","pod":{}}]""")]
    [InlineData("""[{"name":"default","binding":{"name":"l2bridge"}}]""", """[{"name":"default","pod":{}}]""")]
    [InlineData("""[{"name":"lonely","bridge":{}}]""", """[]""")]
    public void Pod_network_bindings_other_than_masquerade_and_orphans_get_none(string interfaces, string networks)
    {
        var vm = VirtualMachineInterfaces.Read(Vm(interfaces, networks));
        Assert.False(vm.GetsMac(vm.Interfaces[0]));
    }

    [Fact]
    public void A_vm_without_template_is_recognised() =>
        Assert.False(VirtualMachineInterfaces.Read(JsonNode.Parse("""{"spec":{"runStrategy":"Halted"}}""")!.AsObject()).HasTemplate);

    [Theory]
    [InlineData("""{"a":1}""", "[]")]
    [InlineData("""[{"bridge":{}}]""", "[]")]
    [InlineData("""[{"name":"x","macAddress":5}]""", "[]")]
    [InlineData("[]", """{"x":1}""")]
    public void Malformed_shapes_are_errors_not_exceptions(string interfaces, string networks) =>
        Assert.StartsWith("invalid virtual machine: ", VirtualMachineInterfaces.Read(Vm(interfaces, networks)).Error, StringComparison.Ordinal);

    [Fact]
    public void Duplicate_interface_names_are_reported() =>
        Assert.Equal(
            "Failed to mutate virtual machine: every interface must have a unique name",
            VirtualMachineInterfaces.Read(Vm("""[{"name":"br1","bridge":{}},{"name":"br1","bridge":{}}]""", "[]")).DuplicateNameError());

    [Fact]
    public void The_update_plan_restores_keeps_changes_adds_and_lists_removed()
    {
        var old = VirtualMachineInterfaces.Read(Vm(
            """[{"name":"a","macAddress":"02:00:00:00:00:0a"},{"name":"b","macAddress":"02:00:00:00:00:0b"},{"name":"c","macAddress":"02:00:00:00:00:0c"},{"name":"gone","macAddress":"02:00:00:00:00:0d"}]""", "[]"));
        var updated = VirtualMachineInterfaces.Read(Vm(
            """[{"name":"a"},{"name":"b","macAddress":"02-00-00-00-00-0B"},{"name":"c","macAddress":"01:00:00:00:00:02"},{"name":"new"},{"name":"mine","macAddress":"06:00:00:00:00:01"}]""", "[]"));
        var (plans, removed) = InterfaceUpdatePlan.Compute(old, updated, (x, y) => string.Equals(x.Replace('-', ':'), y.Replace('-', ':'), StringComparison.OrdinalIgnoreCase));
        Assert.Equal(
            [InterfaceChange.RestoreOld, InterfaceChange.Keep, InterfaceChange.Changed, InterfaceChange.NewAllocate, InterfaceChange.NewRequested],
            plans.Select(p => p.Change));
        Assert.Equal("02:00:00:00:00:0a", plans[0].OldMac);
        Assert.Equal("gone", Assert.Single(removed).Name);
    }
}
