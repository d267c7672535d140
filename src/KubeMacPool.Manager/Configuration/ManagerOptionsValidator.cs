using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Configuration;

/// <summary>Refuses to start with settings that cannot work, saying which setting and why.</summary>
internal sealed class ManagerOptionsValidator : IValidateOptions<ManagerOptions>
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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
