namespace KubeMacPool.Core.Certificates;

/// <summary>When a certificate is valid; the rotation arithmetic on it.</summary>
public readonly record struct ValidityWindow(DateTimeOffset NotBefore, DateTimeOffset NotAfter)
{
    /// <summary>How far certificates are back-dated, so that a node whose clock is a little behind accepts them.</summary>
    public static TimeSpan ClockSkewAllowance { get; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The window of a certificate made at <paramref name="now"/> to live <paramref name="lifetime"/>, never
    /// outliving its issuer (<paramref name="issuer"/>, null for a self-signed CA).
    /// </summary>
    public static ValidityWindow Issue(DateTimeOffset now, TimeSpan lifetime, ValidityWindow? issuer = null)
    {
        var notBefore = now - ClockSkewAllowance;
        var notAfter = now + lifetime;
        if (issuer is { } parent)
        {
            notBefore = notBefore < parent.NotBefore ? parent.NotBefore : notBefore;
            notAfter = notAfter > parent.NotAfter ? parent.NotAfter : notAfter;
        }

        return new ValidityWindow(notBefore, notAfter);
    }

    /// <summary>When it is replaced: <paramref name="overlap"/> before it expires, so old and new overlap that long.</summary>
    public DateTimeOffset RotationDeadline(TimeSpan overlap) => NotAfter - overlap;

    public bool IsExpired(DateTimeOffset now) => now >= NotAfter;

    public bool IsDue(DateTimeOffset now, TimeSpan overlap) => now >= RotationDeadline(overlap);
}
