namespace KubeMacPool.Core.Pool;

/// <summary>What to do with a requested MAC that another managed object already holds.</summary>
public enum DuplicatePolicy
{
    /// <summary>Refuse it: <c>failed to allocate requested mac address</c> (classic kubemacpool).</summary>
    Reject,

    /// <summary>Admit it and record both owners; collision detection reports it (kubemacpool ≥ v0.51).</summary>
    Allow,
}

public static class DuplicatePolicies
{
    public static bool TryParse(string? value, out DuplicatePolicy policy, out string? error)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "reject":
                policy = DuplicatePolicy.Reject;
                error = null;
                return true;
            case "allow":
                policy = DuplicatePolicy.Allow;
                error = null;
                return true;
            default:
                policy = DuplicatePolicy.Reject;
                error = $"invalid DUPLICATE_MACS \"{value}\": use reject or allow";
                return false;
        }
    }
}
