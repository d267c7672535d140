using System.Text.Json.Nodes;
using KubeMacPool.Manager.StaticIps;

namespace KubeMacPool.Manager.Tests.StaticIps;

public class DesiredReservationsTests
{
    private static JsonObject Spec(params (string Iface, string? Mac, string Network)[] interfaces) => new()
    {
        ["template"] = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["domain"] = new JsonObject
                {
                    ["devices"] = new JsonObject
                    {
                        ["interfaces"] = new JsonArray([.. interfaces.Select(i => (JsonNode)new JsonObject { ["name"] = i.Iface, ["bridge"] = new JsonObject(), ["macAddress"] = i.Mac })]),
                    },
                },
                ["networks"] = new JsonArray([.. interfaces.Select(i => (JsonNode)(i.Network == "pod"
                    ? new JsonObject { ["name"] = i.Iface, ["pod"] = new JsonObject() }
                    : new JsonObject { ["name"] = i.Iface, ["multus"] = new JsonObject { ["networkName"] = i.Network } }))]),
            },
        },
    };

    private static readonly Dictionary<string, string> NoPins = [];

    [Fact]
    public void Only_interfaces_with_a_mac_on_a_pooled_multus_network_get_one()
    {
        var desired = DesiredReservations.For("ns", "vm", Spec(
            ("default", "02:00:00:00:00:01", "pod"),
            ("pooled", "02:00:00:00:00:02", "blue"),
            ("other", "02:00:00:00:00:03", "red"),
            ("nomac", null, "blue")), NoPins, n => n == "ns/blue");
        var only = Assert.Single(desired);
        Assert.Equal(new DesiredReservation("vm.pooled", "pooled", "ns/blue", "02:00:00:00:00:02", null), only);
    }

    [Fact]
    public void Macs_are_canonical_and_qualified_network_names_are_kept()
    {
        var desired = DesiredReservations.For("ns", "vm", Spec(("a", "02-00-00-AB-CD-EF", "infra/blue")), new Dictionary<string, string> { ["a"] = "10.0.0.9" }, n => n == "infra/blue");
        Assert.Equal(new DesiredReservation("vm.a", "a", "infra/blue", "02:00:00:ab:cd:ef", "10.0.0.9"), Assert.Single(desired));
    }

    [Fact]
    public void A_malformed_spec_needs_nothing() =>
        Assert.Empty(DesiredReservations.For("ns", "vm", new JsonObject { ["template"] = "nonsense" }, NoPins, _ => true));

    [Theory]
    [InlineData("vm", "net1", "vm.net1")]
    [InlineData("vm", "Net_1", "vm.if-")]
    public void Reservation_names_are_readable_or_hashed(string vm, string iface, string prefix) =>
        Assert.StartsWith(prefix, DesiredReservations.ReservationName(vm, iface), StringComparison.Ordinal);

    [Fact]
    public void Long_names_stay_within_253_characters_and_distinct()
    {
        var vm = new string('v', 253);
        var a = DesiredReservations.ReservationName(vm, "a");
        var b = DesiredReservations.ReservationName(vm, "b");
        Assert.True(a.Length <= 253);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("""{"net1":"10.0.0.5"}""", true, null)]
    [InlineData("", true, null)]
    [InlineData("10.0.0.5", false, "must be a JSON object from interface name to IPv4 address")]
    [InlineData("""{"net1":"10.0.0"}""", false, "the address of interface \"net1\" must be an IPv4 address string, got \"10.0.0\"")]
    [InlineData("""{"net1":5}""", false, "got 5")]
    public void Pinned_ip_annotations_parse_or_say_why(string text, bool ok, string? message)
    {
        Assert.Equal(ok, PinnedIpAnnotation.TryParse(text, out var pins, out var error));
        if (message is not null)
        {
            Assert.Contains(message, error, StringComparison.Ordinal);
        }
        else if (text.Length > 0)
        {
            Assert.Equal("10.0.0.5", pins["net1"]);
        }
    }
}
