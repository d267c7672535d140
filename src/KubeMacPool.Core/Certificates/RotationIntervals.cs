namespace KubeMacPool.Core.Certificates;

/// <summary>
/// How long the CA and the serving certificate live, and how long before their end each is replaced (the overlap,
/// during which old and new are both trusted). Named as upstream's settings: <c>CA_ROTATE_INTERVAL</c>,
/// <c>CA_OVERLAP_INTERVAL</c>, <c>CERT_ROTATE_INTERVAL</c>, <c>CERT_OVERLAP_INTERVAL</c>.
/// </summary>
public sealed record RotationIntervals(TimeSpan CaRotate, TimeSpan CaOverlap, TimeSpan CertRotate, TimeSpan CertOverlap)
{
    public const string CaRotateName = "CA_ROTATE_INTERVAL";
    public const string CaOverlapName = "CA_OVERLAP_INTERVAL";
    public const string CertRotateName = "CERT_ROTATE_INTERVAL";
    public const string CertOverlapName = "CERT_OVERLAP_INTERVAL";

    /// <summary>Upstream's manifest values: CA one year, serving certificate half a year, one day of overlap each.</summary>
    public static RotationIntervals Default { get; } = new(
        TimeSpan.FromHours(8760), TimeSpan.FromHours(24), TimeSpan.FromHours(4380), TimeSpan.FromHours(24));

    /// <summary>
    /// Parses the four Go-style durations (null keeps the default) and checks how they relate. Every problem is
    /// reported, each naming its setting.
    /// </summary>
    public static bool TryParse(
        string? caRotate, string? caOverlap, string? certRotate, string? certOverlap,
        out RotationIntervals? intervals, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var ca = Parse(CaRotateName, caRotate, Default.CaRotate, problems);
        var caOver = Parse(CaOverlapName, caOverlap, Default.CaOverlap, problems);
        var cert = Parse(CertRotateName, certRotate, Default.CertRotate, problems);
        var certOver = Parse(CertOverlapName, certOverlap, Default.CertOverlap, problems);
        intervals = null;
        if (problems.Count == 0)
        {
            var candidate = new RotationIntervals(ca, caOver, cert, certOver);
            problems.AddRange(candidate.Validate());
            intervals = problems.Count == 0 ? candidate : null;
        }

        errors = problems;
        return problems.Count == 0;
    }

    /// <summary>
    /// The rules: overlap shorter than the lifetime it overlaps (a certificate is replaced <em>overlap</em> before
    /// it expires, so an overlap as long as the lifetime would replace it as soon as it is made), and the serving
    /// certificate no longer-lived than the CA that signs it.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Positive(CaRotateName, CaRotate, problems);
        Positive(CaOverlapName, CaOverlap, problems);
        Positive(CertRotateName, CertRotate, problems);
        Positive(CertOverlapName, CertOverlap, problems);
        if (problems.Count > 0)
        {
            return problems;
        }

        if (CaOverlap >= CaRotate)
        {
            problems.Add($"{CaOverlapName} ({GoDuration.Format(CaOverlap)}) must be shorter than {CaRotateName} ({GoDuration.Format(CaRotate)}): the CA is replaced that long before it expires");
        }

        if (CertOverlap >= CertRotate)
        {
            problems.Add($"{CertOverlapName} ({GoDuration.Format(CertOverlap)}) must be shorter than {CertRotateName} ({GoDuration.Format(CertRotate)}): the certificate is replaced that long before it expires");
        }

        if (CertRotate > CaRotate)
        {
            problems.Add($"{CertRotateName} ({GoDuration.Format(CertRotate)}) must not be longer than {CaRotateName} ({GoDuration.Format(CaRotate)}): a certificate cannot outlive the CA that signs it");
        }

        if (CaOverlap < MinimumCaOverlap)
        {
            problems.Add($"{CaOverlapName} ({GoDuration.Format(CaOverlap)}) must be at least {GoDuration.Format(MinimumCaOverlap)}: the API server has to learn the new CA before the old one expires");
        }

        return problems;
    }

    /// <summary>
    /// A new CA is served only after the API server had this long to see it in caBundle; the old CA must still be
    /// valid by then.
    /// </summary>
    public static TimeSpan MinimumCaOverlap { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The settings as they are written (<c>CA_ROTATE_INTERVAL=8760h0m0s …</c>), for logs.</summary>
    public override string ToString() =>
        $"{CaRotateName}={GoDuration.Format(CaRotate)} {CaOverlapName}={GoDuration.Format(CaOverlap)} " +
        $"{CertRotateName}={GoDuration.Format(CertRotate)} {CertOverlapName}={GoDuration.Format(CertOverlap)}";

    private static TimeSpan Parse(string name, string? value, TimeSpan fallback, List<string> problems)
    {
        if (value is null)
        {
            return fallback;
        }

        if (GoDuration.TryParse(value, out var duration, out var error))
        {
            return duration;
        }

        problems.Add($"{name}: {error}");
        return fallback;
    }

    private static void Positive(string name, TimeSpan value, List<string> problems)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{name} must be a positive duration such as 24h0m0s (got {GoDuration.Format(value)})");
        }
    }
}
