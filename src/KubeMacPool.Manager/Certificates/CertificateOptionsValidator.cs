using System.Text.RegularExpressions;
using KubeMacPool.Core.Certificates;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Certificates;

/// <summary>Refuses to start with intervals that cannot work or a Service name that is not a DNS label.</summary>
internal sealed partial class CertificateOptionsValidator : IValidateOptions<CertificateOptions>
{
    public ValidateOptionsResult Validate(string? name, CertificateOptions options)
    {
        var errors = new List<string>();
        if (!RotationIntervals.TryParse(
            options.CaRotateInterval, options.CaOverlapInterval, options.CertRotateInterval, options.CertOverlapInterval, out _, out var problems))
        {
            errors.AddRange(problems);
        }

        if (string.IsNullOrEmpty(options.ServiceName) || options.ServiceName.Length > 63 || !DnsLabel().IsMatch(options.ServiceName))
        {
            errors.Add($"invalid webhook Service name \"{options.ServiceName}\" (--service-name / WEBHOOK_SERVICE_NAME): use a DNS label such as kubemacpool-service");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();
}
