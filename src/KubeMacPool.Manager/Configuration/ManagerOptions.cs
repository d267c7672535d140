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

    /// <summary>The pod's IP (downward API <c>POD_IP</c>); the address the leader publishes for the other replicas.</summary>
    public string? PodIp { get; set; }

    /// <summary>Leader election through the Lease (<c>--leader-elect-*</c>): a dead leader is replaced within about LeaseDuration + RetryPeriod.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a replica that is not the leader holds a review for a leader to forward it to (<c>--forward-timeout</c>).</summary>
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>After SIGTERM: not ready, Lease released, reviews still forwarded this long so the balancer drains (<c>--shutdown-drain</c>).</summary>
    public TimeSpan ShutdownDrain { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Free addresses a new leader skips past the previous leader's last published cursor (<c>--handover-window</c>).</summary>
    public int HandoverWindow { get; set; } = 65_536;

    /// <summary>How long after a takeover requested MACs in the handover span are refused (<c>--handover-settle</c>; ≥ the webhook timeout).</summary>
    public TimeSpan HandoverSettle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Run the admission path on scratch pools once the pool is ready (<c>--admission-warm-up</c>, default true).</summary>
    public bool AdmissionWarmUp { get; set; } = true;

    public TimeSpan WaitTime => TimeSpan.FromSeconds(WaitTimeSeconds);

    public bool IsDebug => !string.Equals(Verbosity, "production", StringComparison.Ordinal);

    public SslProtocols MinimumTlsProtocols => TlsMinVersion switch
    {
        "VersionTLS13" => SslProtocols.Tls13,
        _ => SslProtocols.Tls12 | SslProtocols.Tls13,
    };
}
