namespace KubeMacPool.Plugin;

/// <summary>What scripts can test: the README and <c>--help</c> list them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Answered, with findings: nobody holds the MAC, MACs left outside, collisions, or not ready.</summary>
    public const int Findings = 1;
    public const int Usage = 2;

    /// <summary>The API server could not be reached, refused the credentials, or refused a read the answer needs.</summary>
    public const int Unreachable = 3;

    /// <summary>kubemacpool publishes no status, or a stale one.</summary>
    public const int ServiceNotReporting = 4;
}
