using System.Text.RegularExpressions;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Configuration;

/// <summary>Refuses to start with settings that cannot work, saying which setting and why.</summary>
internal sealed partial class ManagerOptionsValidator : IValidateOptions<ManagerOptions>
{
    public ValidateOptionsResult Validate(string? name, ManagerOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PodNamespace))
        {
            errors.Add("Failed to load pod namespace from environment variable POD_NAMESPACE (set it from the downward API)");
        }

        if (options.RangeStart is null)
        {
            errors.Add("Environment variable RANGE_START doesn't exist (set it from ConfigMap kubemacpool-mac-range-config)");
        }

        if (options.RangeEnd is null)
        {
            errors.Add("Environment variable RANGE_END doesn't exist (set it from ConfigMap kubemacpool-mac-range-config)");
        }

        if (options.RangeStart is not null && options.RangeEnd is not null
            && !MacRange.TryParse(options.RangeStart, options.RangeEnd, out _, out var rangeError))
        {
            errors.Add("failed to set initial ranges: " + rangeError);
        }

        if (!DuplicatePolicies.TryParse(options.DuplicateMacs, out _, out var policyError))
        {
            errors.Add(policyError!);
        }

        if (options.WaitTimeSeconds <= 0)
        {
            errors.Add("--wait-time must be a positive number of seconds");
        }

        if (options.WebhookPort is <= 0 or > 65535)
        {
            errors.Add("--webhook-port must be a TCP port (1-65535)");
        }

        if (options.TlsMinVersion is not ("VersionTLS12" or "VersionTLS13"))
        {
            errors.Add($"invalid TLS version \"{options.TlsMinVersion}\": use VersionTLS12 or VersionTLS13 (TLS 1.0 and 1.1 are not supported)");
        }

        if (!TlsSettings.TryParseCipherSuites(options.TlsCipherSuites, out _, out var cipherError))
        {
            errors.Add(cipherError!);
        }

        if (!ImageReference().IsMatch(options.DhcpAgentImage))
        {
            errors.Add($"--dhcp-agent-image \"{options.DhcpAgentImage}\" is not an image reference (registry/name[:tag][@digest])");
        }

        if (!DnsSubdomain().IsMatch(options.DhcpAgentServiceAccount) || options.DhcpAgentServiceAccount.Length > 253)
        {
            errors.Add($"--dhcp-agent-service-account \"{options.DhcpAgentServiceAccount}\" is not a ServiceAccount name");
        }

        ValidateLeaderElection(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateLeaderElection(ManagerOptions options, List<string> errors)
    {
        foreach (var (flag, value) in (ReadOnlySpan<(string, TimeSpan)>)[
            ("--leader-elect-lease-duration", options.LeaseDuration), ("--leader-elect-renew-deadline", options.RenewDeadline),
            ("--leader-elect-retry-period", options.RetryPeriod), ("--forward-timeout", options.ForwardTimeout),
            ("--shutdown-drain", options.ShutdownDrain), ("--handover-settle", options.HandoverSettle)])
        {
            if (value < TimeSpan.Zero || (value == TimeSpan.Zero && flag != "--shutdown-drain"))
            {
                errors.Add($"{flag} must be a positive duration such as 3s or 500ms");
            }
        }

        // The library's own rule, and what makes a leader stop before a successor may start.
        if (options.RetryPeriod > TimeSpan.Zero && !(options.RetryPeriod < options.RenewDeadline && options.RenewDeadline < options.LeaseDuration))
        {
            errors.Add("leader election needs --leader-elect-retry-period < --leader-elect-renew-deadline < --leader-elect-lease-duration");
        }

        if (options.HandoverWindow < 0)
        {
            errors.Add("--handover-window must be a number of addresses (0 or more)");
        }

        // IPAddress.TryParse also takes legacy forms ("10.0.0"); the downward API gives dotted quads or IPv6.
        if (options.PodIp is { Length: > 0 } ip && !(System.Net.IPAddress.TryParse(ip, out var parsed)
            && (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || ip.Count(c => c == '.') == 3)))
        {
            errors.Add($"POD_IP \"{ip}\" is not an IP address");
        }
    }

    // The reference grammar of the distribution spec, simplified: lower-case path components, an optional tag and digest.
    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
