using System.Globalization;
using KubeMacPool.Core.Certificates;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Configuration;

/// <summary>Binds <see cref="ManagerOptions"/> from upstream's environment variable and flag names.</summary>
internal sealed class ManagerOptionsSetup(IConfiguration configuration) : IConfigureOptions<ManagerOptions>
{
    public void Configure(ManagerOptions options)
    {
        options.RangeStart = configuration["RANGE_START"] ?? options.RangeStart;
        options.RangeEnd = configuration["RANGE_END"] ?? options.RangeEnd;
        options.DuplicateMacs = configuration["DUPLICATE_MACS"] ?? options.DuplicateMacs;
        options.PodNamespace = configuration["POD_NAMESPACE"] ?? options.PodNamespace;
        options.PodName = configuration["POD_NAME"] ?? options.PodName;
        options.Verbosity = configuration["v"] ?? options.Verbosity;
        options.WebhookAddress = configuration["webhook-address"] ?? options.WebhookAddress;
        options.TlsMinVersion = configuration["tls-min-version"] ?? options.TlsMinVersion;
        options.TlsCipherSuites = configuration["tls-cipher-suites"] ?? options.TlsCipherSuites;
        options.CertDir = configuration["cert-dir"] ?? options.CertDir;
        options.DhcpAgentImage = configuration["dhcp-agent-image"] ?? options.DhcpAgentImage;
        options.DhcpAgentServiceAccount = configuration["dhcp-agent-service-account"] ?? options.DhcpAgentServiceAccount;
        options.WaitTimeSeconds = Int(configuration["wait-time"]) ?? options.WaitTimeSeconds;
        options.WebhookPort = Int(configuration["webhook-port"]) ?? options.WebhookPort;
        options.PodIp = configuration["POD_IP"] ?? options.PodIp;
        options.LeaseDuration = Duration(configuration["leader-elect-lease-duration"]) ?? options.LeaseDuration;
        options.RenewDeadline = Duration(configuration["leader-elect-renew-deadline"]) ?? options.RenewDeadline;
        options.RetryPeriod = Duration(configuration["leader-elect-retry-period"]) ?? options.RetryPeriod;
        options.ForwardTimeout = Duration(configuration["forward-timeout"]) ?? options.ForwardTimeout;
        options.ShutdownDrain = Duration(configuration["shutdown-drain"]) ?? options.ShutdownDrain;
        options.HandoverSettle = Duration(configuration["handover-settle"]) ?? options.HandoverSettle;
        options.HandoverWindow = Int(configuration["handover-window"]) ?? options.HandoverWindow;
        options.AdmissionWarmUp = configuration["admission-warm-up"] is not { } warm ? options.AdmissionWarmUp : !string.Equals(warm, "false", StringComparison.OrdinalIgnoreCase);
    }

    // Go-style durations ("3s", "500ms"); anything else becomes a negative span that validation reports.
    private static TimeSpan? Duration(string? value) =>
        value is null ? null : GoDuration.TryParse(value, out var span, out _) ? span : TimeSpan.FromTicks(-1);

    // A non-number becomes -1 so that validation reports it instead of silently using the default.
    private static int? Int(string? value) =>
        value is null ? null : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1;
}
