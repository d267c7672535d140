using System.Net.Security;

namespace KubeMacPool.Manager.Configuration;

/// <summary>Maps <c>--tls-cipher-suites</c> (Go / IANA constant names, comma separated) to .NET cipher suites.</summary>
internal static class TlsSettings
{
    public static bool TryParseCipherSuites(string? value, out IReadOnlyList<TlsCipherSuite>? suites, out string? error)
    {
        suites = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        var parsed = new List<TlsCipherSuite>();
        var unknown = new List<string>();
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite) && !int.TryParse(name, out _))
            {
                parsed.Add(suite);
            }
            else
            {
                unknown.Add(name);
            }
        }

        // Upstream silently ignores unknown names; a typo that weakens TLS deserves a refusal instead.
        if (unknown.Count > 0)
        {
            error = $"unknown TLS cipher suite(s) in --tls-cipher-suites: {string.Join(", ", unknown)}";
            return false;
        }

        suites = parsed;
        return true;
    }
}
