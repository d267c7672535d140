using KubeMacPool.Core.Networks;
using static KubeMacPool.Core.Tests.Networks.VmJson;

namespace KubeMacPool.Core.Tests.Networks;

public class InterfaceUpdatePlanTests
{
    private const string Mac1 = "02:00:00:00:00:01";
    private const string Mac2 = "02:00:00:00:00:02";

    // Stands in for the webhook's MacAddress-based compare.
    private static bool SameMac(string a, string b) =>
        string.Equals(a.Replace('-', ':'), b.Replace('-', ':'), StringComparison.OrdinalIgnoreCase);

    private static VirtualMachineInterfaces Interfaces(string interfaces, string networks = "[]")
    {
        var view = VirtualMachineInterfaces.Read(Vm(interfaces, networks));
        Assert.Null(view.Error);
        return view;
    }

    private static (string, string?)[] Removed(InterfaceUpdatePlan plan) => plan.Removed.Select(r => (r.Name, r.MacAddress)).ToArray();

    private static InterfaceUpdatePlan Plan(string before, string after) =>
        InterfaceUpdatePlan.Compute(Interfaces(before), Interfaces(after), SameMac);

    private static (InterfaceChange, string?, string?)[] Summary(InterfaceUpdatePlan plan) =>
        plan.Interfaces.Select(p => (p.Change, p.Mac, p.OldMac)).ToArray();

    private const string Original = $$$"""[{"name":"default","masquerade":{},"macAddress":"{{{Mac1}}}"},{"name":"multus","bridge":{},"macAddress":"{{{Mac2}}}"}]""";

    // §9 / test_id:2243: re-applying a MAC-less spec restores the MACs.
    [Fact]
    public void A_mac_less_update_restores_the_old_macs()
    {
        var plan = Plan(Original, """[{"name":"default","masquerade":{}},{"name":"multus","bridge":{}}]""");
        Assert.Equal([(InterfaceChange.RestoreOld, Mac1, Mac1), (InterfaceChange.RestoreOld, Mac2, Mac2)], Summary(plan));
        Assert.All(plan.Interfaces, p => Assert.True(p.NeedsPatch));
        Assert.Equal([0, 1], plan.Interfaces.Select(p => p.Interface.Index));
        Assert.Empty(plan.Removed);
    }

    // §9: changing one MAC (multicast accepted: no check here).
    [Fact]
    public void Changing_one_mac_keeps_the_other_and_remembers_the_old_one()
    {
        var plan = Plan(Original, $$$"""[{"name":"default","masquerade":{},"macAddress":"{{{Mac1}}}"},{"name":"multus","bridge":{},"macAddress":"01:00:00:00:00:02"}]""");
        Assert.Equal([(InterfaceChange.Keep, Mac1, Mac1), (InterfaceChange.Changed, "01:00:00:00:00:02", Mac2)], Summary(plan));
        Assert.DoesNotContain(plan.Interfaces, p => p.NeedsPatch);
    }

    [Fact]
    public void The_same_mac_in_another_spelling_is_kept()
    {
        var plan = Plan(Original, """[{"name":"default","macAddress":"02-00-00-00-00-01"},{"name":"multus","macAddress":"02:00:00:00:00:02"}]""");
        Assert.Equal([InterfaceChange.Keep, InterfaceChange.Keep], plan.Interfaces.Select(p => p.Change));
        Assert.Equal("02-00-00-00-00-01", plan.Interfaces[0].Mac);
    }

    // §9: adding an interface.
    [Fact]
    public void An_added_interface_is_allocated_or_registered_and_the_others_kept()
    {
        var plan = Plan(Original, $$$"""[{"name":"default","macAddress":"{{{Mac1}}}"},{"name":"multus","macAddress":"{{{Mac2}}}"},{"name":"new","bridge":{}},{"name":"mine","macAddress":"06:00:00:00:00:01"}]""");
        Assert.Equal(
            [(InterfaceChange.Keep, Mac1, Mac1), (InterfaceChange.Keep, Mac2, Mac2), (InterfaceChange.NewAllocate, null, null), (InterfaceChange.NewRequested, "06:00:00:00:00:01", null)],
            Summary(plan));
        Assert.Equal([false, false, true, false], plan.Interfaces.Select(p => p.NeedsPatch));
    }

    // §9: removing an interface.
    [Fact]
    public void A_removed_interface_is_listed_with_its_mac()
    {
        var plan = Plan(Original, $$$"""[{"name":"default","masquerade":{},"macAddress":"{{{Mac1}}}"}]""");
        Assert.Equal([(InterfaceChange.Keep, Mac1, Mac1)], Summary(plan));
        Assert.Equal([("multus", Mac2)], Removed(plan));
    }

    // §9: replacing the set; the pod interface turned bridge keeps its MAC (no binding check on update).
    [Fact]
    public void Replacing_the_set_restores_by_name_whatever_the_binding_and_allocates_the_new_one()
    {
        var plan = Plan(Original, """[{"name":"default","bridge":{}},{"name":"another-multus","bridge":{}}]""");
        Assert.Equal([(InterfaceChange.RestoreOld, Mac1, Mac1), (InterfaceChange.NewAllocate, null, null)], Summary(plan));
        Assert.Equal([("multus", Mac2)], Removed(plan));
    }

    // §3.7.6: a VM created before its namespace was managed keeps MAC-less interfaces.
    [Fact]
    public void An_interface_that_never_had_a_mac_keeps_having_none()
    {
        var plan = Plan("""[{"name":"default","masquerade":{}}]""", """[{"name":"default","masquerade":{}},{"name":"new","masquerade":{}}]""");
        Assert.Equal([(InterfaceChange.Keep, null, null), (InterfaceChange.NewAllocate, null, null)], Summary(plan));
        Assert.Equal([false, true], plan.Interfaces.Select(p => p.NeedsPatch));
    }

    [Fact]
    public void Asking_for_a_mac_on_an_interface_that_had_none_is_a_change()
    {
        var plan = Plan("""[{"name":"default"}]""", $$$"""[{"name":"default","macAddress":"{{{Mac1}}}"}]""");
        Assert.Equal([(InterfaceChange.Changed, Mac1, null)], Summary(plan));
    }

    [Fact]
    public void Removing_every_interface_lists_them_all_in_order()
    {
        var plan = Plan(Original, "[]");
        Assert.Empty(plan.Interfaces);
        Assert.Equal([("default", Mac1), ("multus", Mac2)], Removed(plan));
    }

    [Fact]
    public void With_duplicate_old_names_the_last_counts_as_upstreams_map()
    {
        var plan = Plan($$$"""[{"name":"a","macAddress":"{{{Mac1}}}"},{"name":"a","macAddress":"{{{Mac2}}}"},{"name":"gone"},{"name":"gone","macAddress":"{{{Mac1}}}"}]""", """[{"name":"a"}]""");
        Assert.Equal([(InterfaceChange.RestoreOld, Mac2, Mac2)], Summary(plan));
        Assert.Equal([("gone", Mac1)], Removed(plan));
    }

    // §9: an update adding an interface with a duplicate name is refused before any plan.
    [Fact]
    public void An_update_adding_a_duplicate_name_is_caught_by_the_new_spec_check()
    {
        var view = VirtualMachineInterfaces.Read(Vm("""[{"name":"default"},{"name":"default"}]"""));
        Assert.Equal(VirtualMachineInterfaces.DuplicateInterfaceNameError, view.DuplicateNameError());
    }
}
