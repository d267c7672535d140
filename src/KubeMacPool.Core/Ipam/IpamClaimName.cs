using System.Text;

namespace KubeMacPool.Core.Ipam;

/// <summary>
/// The name of the IPAMClaim of one VM network: <c>&lt;vm&gt;.&lt;logical network&gt;</c>, made into a DNS subdomain the
/// way kubevirt/ipam-extensions does it, so that clusters moving from it find their existing claims (and IPs).
/// </summary>
public static class IpamClaimName
{
    /// <summary>The longest name Kubernetes accepts for an object.</summary>
    public const int MaxLength = 253;

    /// <summary>The claim name for VM (or standalone VMI) <paramref name="vmName"/> and its network <paramref name="networkName"/>.</summary>
    public static string Compose(string vmName, string networkName) => Sanitize(vmName + "." + networkName);

    /// <summary>
    /// Lower-cases the key, keeps every maximal run of <c>[a-z0-9]([-a-z0-9]*[a-z0-9])?</c> and joins the runs with dots,
    /// then cuts at 253 characters. Every character outside <c>[a-z0-9-]</c> (dots included) therefore separates, dashes at
    /// the ends of a run are dropped and empty runs vanish: <c>vm1.random_net</c> becomes <c>vm1.random.net</c>. Upstream
    /// cuts without cleaning the end again; so does this (compatibility beats a prettier name).
    /// </summary>
    public static string Sanitize(string key)
    {
        var lower = key.ToLowerInvariant();
        var result = new StringBuilder(lower.Length);
        var i = 0;
        while (i < lower.Length)
        {
            if (!IsAlphanumeric(lower[i]))
            {
                i++;
                continue;
            }

            // A run: alphanumerics and dashes, ending at its last alphanumeric (the regex backtracks to it).
            var end = i;
            var j = i;
            while (j < lower.Length && (IsAlphanumeric(lower[j]) || lower[j] == '-'))
            {
                if (IsAlphanumeric(lower[j]))
                {
                    end = j;
                }

                j++;
            }

            if (result.Length > 0)
            {
                result.Append('.');
            }

            result.Append(lower, i, end - i + 1);
            i = end + 1;
        }

        return result.Length > MaxLength ? result.ToString(0, MaxLength) : result.ToString();
    }

    private static bool IsAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
