using System.Security.Authentication;

namespace KubeMacPool.Manager.Configuration;

/// <summary>
/// The manager's settings, named as kubemacpool names them: environment variables from the Deployment
/// (<c>RANGE_START</c>, <c>RANGE_END</c>, <c>POD_NAMESPACE</c>, <c>POD_NAME</c>, <c>DUPLICATE_MACS</c>) and flags
/// (<c>--wait-time</c>, <c>--v</c>, <c>--tls-min-version</c>, <c>--tls-cipher-suites</c>, <c>--metrics-addr</c>,
/// <c>--dhcp-agent-image</c>, <c>--dhcp-agent-service-account</c>).
/// </summary>
internal sealed class ManagerOptions
{
    public string? RangeStart { get; set; }

    public string? RangeEnd { get; set; }

    /// <summary><c>reject</c> (default) or <c>allow</c>; the ConfigMap key <c>DUPLICATE_MACS</c> changes it live.</summary>
    public string DuplicateMacs { get; set; } = "reject";

    public string? PodNamespace { get; set; }

    public string? PodName { get; set; }

    /// <summary>Seconds a pending VM reservation may wait for its object to be persisted before it is healed.</summary>
    public int WaitTimeSeconds { get; set; } = 300;

    /// <summary><c>production</c> logs at Information; any other value (upstream tests use <c>debug</c>) logs at Debug.</summary>
    public string Verbosity { get; set; } = "production";

    /// <summary>Address and port of the webhook server (HTTPS).</summary>
    public string WebhookAddress { get; set; } = "0.0.0.0";

    public int WebhookPort { get; set; } = 8000;

    public string TlsMinVersion { get; set; } = "VersionTLS12";

    public string? TlsCipherSuites { get; set; }

    /// <summary>
    /// With <c>--cert-dir</c> given explicitly, the serving certificate is read from here (tls.crt / tls.key) and
    /// the built-in certificate manager is off; otherwise it is unused (the manager keeps the certificate in a Secret).
    /// </summary>
    public string CertDir { get; set; } = "/tmp/k8s-webhook-server/serving-certs";

    /// <summary>The image of the DHCP agents the manager runs per IPPool (<c>--dhcp-agent-image</c>): the manager's own.</summary>
    public string DhcpAgentImage { get; set; } = WellKnown.DhcpAgentImage;

    /// <summary>The ServiceAccount of those agents (<c>--dhcp-agent-service-account</c>), in the service's namespace.</summary>
    public string DhcpAgentServiceAccount { get; set; } = WellKnown.DhcpAgentServiceAccount;

    public TimeSpan WaitTime => TimeSpan.FromSeconds(WaitTimeSeconds);

    public bool IsDebug => !string.Equals(Verbosity, "production", StringComparison.Ordinal);

    public SslProtocols MinimumTlsProtocols => TlsMinVersion switch
    {
        "VersionTLS13" => SslProtocols.Tls13,
        _ => SslProtocols.Tls12 | SslProtocols.Tls13,
    };
}
