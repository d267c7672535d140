using System.Text.Json.Nodes;
using KubeMacPool.Core.Networks;
using static KubeMacPool.Core.Tests.Networks.VmJson;

namespace KubeMacPool.Core.Tests.Networks;

public class VirtualMachineInterfacesTests
{
    private static VirtualMachineInterfaces Read(JsonObject vm)
    {
        var view = VirtualMachineInterfaces.Read(vm);
        Assert.Null(view.Error);
        return view;
    }

    private static string Error(JsonObject vm)
    {
        var view = VirtualMachineInterfaces.Read(vm);
        Assert.True(view.HasTemplate);
        Assert.Empty(view.Interfaces);
        Assert.Empty(view.Networks);
        return view.Error!;
    }

    private static string[] Getting(VirtualMachineInterfaces view) => view.InterfacesGettingMacs.Select(i => i.Name).ToArray();

    // §13.3 first example.
    [Fact]
    public void Masquerade_on_the_pod_network_and_bridge_on_multus_both_get_macs()
    {
        var view = Read(Vm(
            """[{"name":"default","masquerade":{}},{"name":"br1","bridge":{}}]""",
            """[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}}]"""));
        Assert.True(view.HasTemplate);
        Assert.Equal(["default", "br1"], Getting(view));
        Assert.Equal([0, 1], view.InterfacesGettingMacs.Select(i => i.Index));
        Assert.Equal(
            [new VmNetwork("default", NetworkSource.Pod), new VmNetwork("br1", NetworkSource.Multus, "br1")],
            view.Networks);
        Assert.Equal([InterfaceBinding.Masquerade, InterfaceBinding.Bridge], view.Interfaces.Select(i => i.Binding));
    }

    [Theory]
    [InlineData("bridge", "bridge", "masquerade", "c")]
    [InlineData("bridge", "masquerade", "bridge", "b")]
    [InlineData("masquerade", "bridge", "bridge", "a")]
    [InlineData("masquerade", "masquerade", "bridge", "a,b")]
    public void Interfaces_without_a_mac_are_left_out_wherever_they_stand(string a, string b, string c, string expected)
    {
        // Every interface on the pod network: only masquerade gets a MAC there.
        var view = Read(Vm(
            $$$"""[{"name":"a","{{{a}}}":{}},{"name":"b","{{{b}}}":{}},{"name":"c","{{{c}}}":{}}]""",
            """[{"name":"a","pod":{}},{"name":"b","pod":{}},{"name":"c","pod":{}}]"""));
        Assert.Equal(expected.Split(','), Getting(view));
        Assert.Equal(expected.Split(',').Select(n => n[0] - 'a'), view.InterfacesGettingMacs.Select(i => i.Index));
    }

    // §13.3 second example.
    [Fact]
    public void Bridge_on_the_pod_network_gets_no_mac()
    {
        var view = Read(Vm("""[{"name":"default","bridge":{}}]""", """[{"name":"default","pod":{}}]"""));
        Assert.Empty(Getting(view));
        Assert.False(view.GetsMac(view.Interfaces[0]));
    }

    [Theory]
    [InlineData("sriov", InterfaceBinding.Sriov)]
    [InlineData("macvtap", InterfaceBinding.Macvtap)]
    [InlineData("passt", InterfaceBinding.Passt)]
    [InlineData("slirp", InterfaceBinding.Slirp)]
    [InlineData("bridge", InterfaceBinding.Bridge)]
    public void Any_binding_on_a_multus_network_gets_a_mac(string binding, InterfaceBinding kind)
    {
        var view = Read(Vm($$$"""[{"name":"n","{{{binding}}}":{}}]""", """[{"name":"n","multus":{"networkName":"nad"}}]"""));
        Assert.Equal(kind, view.Interfaces[0].Binding);
        Assert.Equal(["n"], Getting(view));
    }

    [Theory]
    [InlineData("""[{"name":"default","passt":{}}]""")]
    [InlineData("""[{"name":"default","slirp":{}}]""")]
    [InlineData("""[{"name":"default","binding":{"name":"l2bridge"}}]""")]
    [InlineData("""[{"name":"default"}]""")]
    [InlineData("""[{"name":"default","masquerade":null,"bridge":{}}]""")]
    public void Other_bindings_on_the_pod_network_get_none(string interfaces) =>
        Assert.Empty(Getting(Read(Vm(interfaces, """[{"name":"default","pod":{}}]"""))));

    [Fact]
    public void A_binding_plugin_on_multus_gets_a_mac_and_names_its_plugin()
    {
        var view = Read(Vm("""[{"name":"p","binding":{"name":"managedtap"}}]""", """[{"name":"p","multus":{"networkName":"nad"}}]"""));
        Assert.Equal(new VmInterface(0, "p", null, InterfaceBinding.Plugin, "managedtap"), view.Interfaces[0]);
        Assert.Equal(["p"], Getting(view));
    }

    [Fact]
    public void The_default_multus_network_gets_a_mac_whatever_the_binding()
    {
        var view = Read(Vm("""[{"name":"default","bridge":{}}]""", """[{"name":"default","multus":{"networkName":"ns/nad","default":true}}]"""));
        Assert.Equal(new VmNetwork("default", NetworkSource.Multus, "ns/nad", IsDefault: true), view.Networks[0]);
        Assert.Equal(["default"], Getting(view));
    }

    [Fact]
    public void An_interface_without_a_matching_network_gets_none()
    {
        var view = Read(Vm("""[{"name":"lonely","bridge":{}},{"name":"b","bridge":{}}]""", """[{"name":"b","multus":{"networkName":"b"}}]"""));
        Assert.Equal(["b"], Getting(view));
        Assert.Null(view.FindNetwork("lonely"));
    }

    [Fact]
    public void A_vm_without_networks_gets_no_mac_at_all_even_for_masquerade()
    {
        var view = Read(Vm("""[{"name":"default","masquerade":{}}]"""));
        Assert.True(view.GetsMac(view.Interfaces[0]));
        Assert.Empty(view.InterfacesGettingMacs);
    }

    [Fact]
    public void Masquerade_counts_even_without_its_network_once_the_vm_has_networks()
    {
        var view = Read(Vm("""[{"name":"default","masquerade":{}}]""", """[{"name":"other","pod":{}}]"""));
        Assert.Equal(["default"], Getting(view));
    }

    [Fact]
    public void Of_two_networks_with_one_name_the_last_counts_as_upstreams_map()
    {
        var view = Read(Vm("""[{"name":"n","bridge":{}}]""", """[{"name":"n","pod":{}},{"name":"n","multus":{"networkName":"x"}}]"""));
        Assert.Equal(NetworkSource.Multus, view.FindNetwork("n")!.Source);
        Assert.Equal(["n"], Getting(view));
    }

    [Fact]
    public void A_network_with_both_pod_and_multus_is_multus()
    {
        var view = Read(Vm("""[{"name":"n","bridge":{}}]""", """[{"name":"n","pod":{},"multus":{}}]"""));
        Assert.Equal(new VmNetwork("n", NetworkSource.Multus), view.Networks[0]);
    }

    [Fact]
    public void A_network_of_another_kind_is_other()
    {
        var view = Read(Vm("""[{"name":"n","bridge":{}}]""", """[{"name":"n","someFutureSource":{}}]"""));
        Assert.Equal(NetworkSource.Other, view.Networks[0].Source);
        Assert.Empty(Getting(view));
    }

    // §13.3: a requested MAC is kept verbatim.
    [Fact]
    public void A_requested_mac_is_read_verbatim_and_an_empty_one_is_none()
    {
        var view = Read(Vm("""[{"name":"br1","bridge":{},"macAddress":"02-00-00-00-00-AA"},{"name":"br2","bridge":{},"macAddress":""}]"""));
        Assert.Equal(["02-00-00-00-00-AA", null], view.Interfaces.Select(i => i.MacAddress));
    }

    [Theory]
    [InlineData("""{"spec":{"runStrategy":"Halted"}}""")]
    [InlineData("""{"spec":{"template":null}}""")]
    [InlineData("""{"metadata":{}}""")]
    public void A_vm_without_template_is_recognised(string vm)
    {
        var view = Read(JsonNode.Parse(vm)!.AsObject());
        Assert.False(view.HasTemplate);
        Assert.Empty(view.Interfaces);
    }

    [Theory]
    [InlineData("""{"spec":{"template":{}}}""")]
    [InlineData("""{"spec":{"template":{"spec":{"domain":{}}}}}""")]
    [InlineData("""{"spec":{"template":{"spec":{"domain":{"devices":{"interfaces":null}}}}}}""")]
    public void A_template_without_interfaces_has_none(string vm)
    {
        var view = Read(JsonNode.Parse(vm)!.AsObject());
        Assert.True(view.HasTemplate);
        Assert.Empty(view.Interfaces);
        Assert.Empty(view.InterfacesGettingMacs);
    }

    [Fact]
    public void Duplicate_interface_names_are_refused_with_the_upstream_message()
    {
        var view = Read(Vm("""[{"name":"br1","bridge":{}},{"name":"br1","bridge":{}}]"""));
        Assert.Equal("Failed to mutate virtual machine: every interface must have a unique name", view.DuplicateNameError());
        Assert.Null(Read(Vm("""[{"name":"br1"},{"name":"br2"}]""")).DuplicateNameError());
    }

    [Theory]
    [InlineData("""{"a":1}""", "[]", "spec.template.spec.domain.devices.interfaces must be a list, not an object")]
    [InlineData("""[{"name":5}]""", "[]", "spec.template.spec.domain.devices.interfaces[0].name must be a string, not a number")]
    [InlineData("""[{"name":"a"},"b"]""", "[]", "spec.template.spec.domain.devices.interfaces[1] must be an object, not a string")]
    [InlineData("""[null]""", "[]", "spec.template.spec.domain.devices.interfaces[0] must be an object, not null")]
    [InlineData("""[{"name":"x","macAddress":5}]""", "[]", "spec.template.spec.domain.devices.interfaces[0].macAddress must be a string, not a number")]
    [InlineData("""[{"name":"x","masquerade":true}]""", "[]", "spec.template.spec.domain.devices.interfaces[0].masquerade must be an object, not a boolean")]
    [InlineData("""[{"name":"x","binding":"plug"}]""", "[]", "spec.template.spec.domain.devices.interfaces[0].binding must be an object, not a string")]
    [InlineData("""[{"name":"x","binding":{"name":[]}}]""", "[]", "spec.template.spec.domain.devices.interfaces[0].binding.name must be a string, not a list")]
    [InlineData("[]", """{"x":1}""", "spec.template.spec.networks must be a list, not an object")]
    [InlineData("[]", """[{"name":{}}]""", "spec.template.spec.networks[0].name must be a string, not an object")]
    [InlineData("[]", """[1]""", "spec.template.spec.networks[0] must be an object, not a number")]
    [InlineData("[]", """[{"name":"n","multus":"nad"}]""", "spec.template.spec.networks[0].multus must be an object, not a string")]
    [InlineData("[]", """[{"name":"n","pod":[]}]""", "spec.template.spec.networks[0].pod must be an object, not a list")]
    [InlineData("[]", """[{"name":"n","multus":{"networkName":1}}]""", "spec.template.spec.networks[0].multus.networkName must be a string, not a number")]
    [InlineData("[]", """[{"name":"n","multus":{"default":"true"}}]""", "spec.template.spec.networks[0].multus.default must be a boolean, not a string")]
    public void Malformed_shapes_are_errors_not_exceptions(string interfaces, string networks, string problem) =>
        Assert.Equal("invalid virtual machine: " + problem, Error(Vm(interfaces, networks)));

    [Theory]
    [InlineData("""{"spec":[]}""", "spec must be an object, not a list")]
    [InlineData("""{"spec":{"template":"x"}}""", "spec.template must be an object, not a string")]
    [InlineData("""{"spec":{"template":{"spec":1}}}""", "spec.template.spec must be an object, not a number")]
    [InlineData("""{"spec":{"template":{"spec":{"domain":{"devices":[]}}}}}""", "spec.template.spec.domain.devices must be an object, not a list")]
    public void Malformed_outer_shapes_are_errors(string vm, string problem) =>
        Assert.Equal("invalid virtual machine: " + problem, Error(JsonNode.Parse(vm)!.AsObject()));

    [Fact]
    public void Duplicate_names_are_found_in_a_long_list_too()
    {
        var names = Enumerable.Range(0, 12).Select(i => $$"""{"name":"n{{i}}"}""").ToList();
        Assert.Null(Read(Vm("[" + string.Join(",", names) + "]")).DuplicateNameError());
        names.Add("""{"name":"n3"}""");
        Assert.Equal(VirtualMachineInterfaces.DuplicateInterfaceNameError, Read(Vm("[" + string.Join(",", names) + "]")).DuplicateNameError());
    }

    [Fact]
    public void A_duplicate_key_in_a_parsed_object_is_an_error_not_an_exception()
    {
        var vm = JsonNode.Parse("""{"spec":{"template":{"spec":{"domain":{"devices":{"interfaces":[],"interfaces":[]}}}}}}""")!.AsObject();
        Assert.StartsWith("invalid virtual machine: ", Error(vm), StringComparison.Ordinal);
        var top = JsonNode.Parse("""{"spec":{},"spec":{}}""")!.AsObject();
        Assert.StartsWith("invalid virtual machine: ", Error(top), StringComparison.Ordinal);
    }

    [Fact]
    public void The_spec_alone_can_be_read()
    {
        var view = VirtualMachineInterfaces.ReadSpec(Vm("""[{"name":"a","masquerade":{}}]""", """[{"name":"a","pod":{}}]""")["spec"]);
        Assert.Equal(["a"], Getting(view));
        var none = VirtualMachineInterfaces.ReadSpec(null);
        Assert.False(none.HasTemplate);
        Assert.Null(none.Error);
    }

    [Fact]
    public void A_packed_spec_reads_as_its_tree_does_and_garbled_bytes_are_an_error()
    {
        var spec = Vm("""[{"name":"a","masquerade":{}},{"name":"b","bridge":{},"macAddress":"02:00:00:00:00:07"}]""",
            """[{"name":"a","pod":{}},{"name":"b","multus":{"networkName":"br1"}}]""")["spec"]!;
        var packed = VirtualMachineInterfaces.ReadPackedSpec(System.Text.Encoding.UTF8.GetBytes(spec.ToJsonString()));
        var tree = VirtualMachineInterfaces.ReadSpec(spec);

        Assert.Equal(Getting(tree), Getting(packed));
        Assert.Equal(tree.Interfaces.Select(i => (i.Name, i.MacAddress)), packed.Interfaces.Select(i => (i.Name, i.MacAddress)));
        var garbled = VirtualMachineInterfaces.ReadPackedSpec(System.Text.Encoding.UTF8.GetBytes("{\"template\":"));
        Assert.StartsWith("invalid virtual machine: ", garbled.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"name":"a","macAddress":"02:00:00:00:00:01","bridge":{}}]""", """[{"bridge":{},"macAddress":"02:00:00:00:00:01","name":"a"}]""")]
    [InlineData("""[{"name":"a","macAddress":""}]""", """[{"name":"a"}]""")]
    [InlineData("""[{"name":"a","macAddress":null,"tag":null}]""", """[{"name":"a"}]""")]
    [InlineData("""[{"name":"a","bootOrder":1}]""", """[{"name":"a","bootOrder":1.0}]""")]
    [InlineData("[]", "null")]
    public void Interfaces_equal_as_go_decodes_them_do_not_differ(string before, string after) =>
        Assert.False(VirtualMachineInterfaces.InterfacesDiffer(Vm(before), Vm(after)));

    [Theory]
    [InlineData("""[{"name":"a","macAddress":"02:00:00:00:00:01"}]""", """[{"name":"a","macAddress":"02:00:00:00:00:02"}]""")]
    [InlineData("""[{"name":"a"}]""", """[{"name":"a"},{"name":"b"}]""")]
    [InlineData("""[{"name":"a"},{"name":"b"}]""", """[{"name":"b"},{"name":"a"}]""")]
    [InlineData("""[{"name":"a","bridge":{}}]""", """[{"name":"a","masquerade":{}}]""")]
    [InlineData("""[{"name":"a","bridge":{}}]""", """[{"name":"a"}]""")]
    [InlineData("""[{"name":"a","ports":[]}]""", """[{"name":"a"}]""")]
    [InlineData("""[{"name":"a","model":"virtio"}]""", """[{"name":"a","model":"e1000"}]""")]
    [InlineData("""[{"name":"a","bootOrder":1}]""", """[{"name":"a","bootOrder":"1"}]""")]
    public void Changed_interfaces_differ(string before, string after) =>
        Assert.True(VirtualMachineInterfaces.InterfacesDiffer(Vm(before), Vm(after)));

    [Fact]
    public void The_raw_interfaces_node_and_mac_pointers_are_at_hand()
    {
        var vm = Vm("""[{"name":"a"}]""");
        Assert.Same(vm["spec"]!["template"]!["spec"]!["domain"]!["devices"]!["interfaces"], VirtualMachineInterfaces.InterfacesNode(vm));
        Assert.Null(VirtualMachineInterfaces.InterfacesNode(JsonNode.Parse("""{"spec":[1]}""")!.AsObject()));
        Assert.Equal("/spec/template/spec/domain/devices/interfaces/3/macAddress", VirtualMachineInterfaces.MacAddressPointer(3));
        Assert.Equal("/spec/template/spec/domain/devices/interfaces", VirtualMachineInterfaces.InterfacesPointer);
    }

    [Fact]
    public void Changes_outside_the_interfaces_do_not_count()
    {
        var before = Vm("""[{"name":"a"}]""");
        var after = Vm("""[{"name":"a"}]""");
        after["spec"]!["template"]!["spec"]!["domain"]!["cpu"] = new JsonObject { ["cores"] = 4 };
        after["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        Assert.False(VirtualMachineInterfaces.InterfacesDiffer(before, after));
        Assert.False(VirtualMachineInterfaces.InterfacesDiffer(new JsonObject(), JsonNode.Parse("""{"spec":{"template":null}}""")!.AsObject()));
    }
}
