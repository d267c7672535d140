using KubeMacPool.Manager.Configuration;

namespace KubeMacPool.Manager.Tests.Configuration;

public class ManagerOptionsValidatorTests
{
    private static ManagerOptions Valid() => new()
    {
        RangeStart = "02:00:00:00:00:00",
        RangeEnd = "02:FF:FF:FF:FF:FF",
        PodNamespace = "kubemacpool-system",
    };

    [Fact]
    public void Valid_settings_pass() => Assert.True(new ManagerOptionsValidator().Validate(null, Valid()).Succeeded);

    [Theory]
    [InlineData("quay.io/kubevirt/kubemacpool:latest")]
    [InlineData("registry:5000/kubevirt/kubemacpool:devel")]
    [InlineData("kubemacpool@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Agent_images_of_the_manifests_pass(string image)
    {
        var options = Valid();
        options.DhcpAgentImage = image;
        Assert.True(new ManagerOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("range", "failed to set initial ranges: invalid range start: invalid mac address. Multicast addressing is not supported. Unicast addressing must be used. The first octet is 0X3")]
    [InlineData("no-namespace", "Failed to load pod namespace from environment variable POD_NAMESPACE")]
    [InlineData("no-start", "Environment variable RANGE_START doesn't exist")]
    [InlineData("policy", "invalid DUPLICATE_MACS \"sometimes\": use reject or allow")]
    [InlineData("wait", "--wait-time must be a positive number of seconds")]
    [InlineData("tls", "invalid TLS version \"VersionTLS10\"")]
    [InlineData("cipher", "unknown TLS cipher suite(s) in --tls-cipher-suites: TLS_NOPE")]
    [InlineData("image", "--dhcp-agent-image \"Quay.io/kubemacpool latest\" is not an image reference")]
    [InlineData("account", "--dhcp-agent-service-account \"Agent_SA\" is not a ServiceAccount name")]
    [InlineData("election", "leader election needs --leader-elect-retry-period < --leader-elect-renew-deadline < --leader-elect-lease-duration")]
    [InlineData("duration", "--forward-timeout must be a positive duration such as 3s or 500ms")]
    [InlineData("pod-ip", "POD_IP \"10.0.0\" is not an IP address")]
    public void Invalid_settings_fail_with_a_clear_message(string what, string expected)
    {
        var options = Valid();
        switch (what)
        {
            case "range": options.RangeStart = "03:00:00:00:00:00"; break;
            case "no-namespace": options.PodNamespace = null; break;
            case "no-start": options.RangeStart = null; break;
            case "policy": options.DuplicateMacs = "sometimes"; break;
            case "wait": options.WaitTimeSeconds = -1; break;
            case "tls": options.TlsMinVersion = "VersionTLS10"; break;
            case "image": options.DhcpAgentImage = "Quay.io/kubemacpool latest"; break;
            case "account": options.DhcpAgentServiceAccount = "Agent_SA"; break;
            case "election": options.RenewDeadline = TimeSpan.FromSeconds(5); break;
            case "duration": options.ForwardTimeout = TimeSpan.FromTicks(-1); break;
            case "pod-ip": options.PodIp = "10.0.0"; break;
            default: options.TlsCipherSuites = "TLS_AES_128_GCM_SHA256,TLS_NOPE"; break;
        }

        var result = new ManagerOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
