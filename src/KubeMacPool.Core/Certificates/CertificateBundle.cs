namespace KubeMacPool.Core.Certificates;

/// <summary>The CA list kept in caBundle and in the CA Secret: newest first, expired ones dropped, capped.</summary>
public static class CertificateBundle
{
    /// <summary>Upstream caps caBundle at 100 certificates.</summary>
    public const int MaxCertificates = 100;

    /// <summary>
    /// <paramref name="current"/> first, then the others that are still valid (newest first by NotBefore), each
    /// once (by <paramref name="identity"/>), at most <see cref="MaxCertificates"/>.
    /// </summary>
    public static IReadOnlyList<T> Compose<T>(
        T current, IEnumerable<T> others, Func<T, ValidityWindow> validity, Func<T, string> identity, DateTimeOffset now)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { identity(current) };
        var result = new List<T> { current };
        foreach (var item in others.Where(o => !validity(o).IsExpired(now)).OrderByDescending(o => validity(o).NotBefore).ThenBy(identity, StringComparer.Ordinal))
        {
            if (result.Count == MaxCertificates)
            {
                break;
            }

            if (seen.Add(identity(item)))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
