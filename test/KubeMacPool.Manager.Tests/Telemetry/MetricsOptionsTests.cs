using System.Net;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Telemetry;

namespace KubeMacPool.Manager.Tests.Telemetry;

public class MetricsOptionsTests
{
    [Theory]
    [InlineData(":8443", "0.0.0.0", 8443)]
    [InlineData("127.0.0.1:9443", "127.0.0.1", 9443)]
    [InlineData("localhost:1", "127.0.0.1", 1)]
    [InlineData("[::1]:8443", "::1", 8443)]
    public void Addresses_parse_as_upstream_spells_them(string text, string host, int port)
    {
        Assert.True(MetricsOptions.TryParseAddress(text, out var address, out var parsedPort, out var error), error);
        Assert.Equal(IPAddress.Parse(host), address);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("8443", "[host]:port")]
    [InlineData(":0", "TCP port")]
    [InlineData(":70000", "TCP port")]
    [InlineData("example.com:8443", "IP address")]
    public void Bad_addresses_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(MetricsOptions.TryParseAddress(text, out _, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions { Address = text }).Failed);
    }

    [Fact]
    public void Zero_turns_metrics_off() =>
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions { Address = "0" }).Succeeded);

    [Theory]
    [InlineData(503, "kubemacpool is not ready yet", "not_ready")]
    [InlineData(400, "malformed", "bad_request")]
    [InlineData(500, "Failed to create virtual machine allocation error: Failed to allocate mac to the vm object: the range is full", "range_full")]
    [InlineData(500, "failed to allocate requested mac address", "mac_taken")]
    [InlineData(500, "Failed to create virtual machine allocation error: duplicate MAC address 02:00:00:00:00:01", "duplicate_in_object")]
    [InlineData(500, "invalid MAC address format for interface x: y", "invalid_mac")]
    [InlineData(500, "invalid MAC address for interface x: 01:00:5e:00:00:01 is a multicast (group) address; only unicast MAC addresses can be requested", "invalid_mac")]
    [InlineData(500, "refused reserved MAC address 02:00:00:00:00:00 for interface x: reserved by RESERVED_MACS entry \"02:00:00:00:00:00\"", "reserved_mac")]
    [InlineData(500, "internal error in kubemacpool: boom", "internal")]
    [InlineData(500, "parsePodNetworkAnnotation: failed to parse", "invalid")]
    public void Denials_are_labelled_with_a_fixed_reason(int code, string message, string reason) =>
        Assert.Equal(reason, AdmissionTelemetry.DenialReason(AdmissionResult.Deny(message, code)));
}
