using System.Globalization;

namespace KubeMacPool.Core.Ipv4;

/// <summary>
/// Checks an IP pool's geometry and options, and that it does not overlap another pool on the same network.
/// Everything wrong is reported at once, so one edit can fix it.
/// </summary>
public static class IpPoolValidator
{
    public const int MaxNameLength = 63;
    public const long MinLeaseTimeSeconds = 60;
    public const long MaxLeaseTimeSeconds = uint.MaxValue - 1; // 0xFFFFFFFF means "infinite" in option 51

    public static IpPoolValidation Validate(IpPoolInput input, IEnumerable<IpPoolDefinition> otherPools)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(otherPools);
        var errors = new List<string>();
        var notes = new List<string>();

        if (input.Name.Length > MaxNameLength)
        {
            errors.Add($"the pool name must be at most {MaxNameLength} characters (it names the agent and labels its objects)");
        }

        if (!IsNetworkReference(input.Network))
        {
            errors.Add($"spec.network \"{input.Network}\" must name a NetworkAttachmentDefinition as namespace/name");
        }

        var hasCidr = Ipv4Cidr.TryParse(input.Cidr, out var cidr, out var cidrError);
        if (!hasCidr)
        {
            errors.Add("spec.cidr " + cidrError);
        }
        else if (cidr.PrefixLength > 30)
        {
            errors.Add($"spec.cidr {cidr} is too small: a pool needs a /30 or larger (the server and at least one guest)");
            hasCidr = false;
        }

        var server = Address("spec.serverIP", input.ServerIp, required: true, errors);
        var router = Address("spec.router", input.Router, required: false, errors);
        var start = Address("spec.range.start", input.RangeStart, required: false, errors);
        var end = Address("spec.range.end", input.RangeEnd, required: false, errors);
        var excludes = input.Exclude.Select((e, i) => Address($"spec.exclude[{i}]", e, required: true, errors)).ToList();
        var dns = input.Dns.Select((e, i) => Address($"spec.dns[{i}]", e, required: true, errors)).ToList();
        var ntp = input.Ntp.Select((e, i) => Address($"spec.ntp[{i}]", e, required: true, errors)).ToList();

        if (input.DomainName is { Length: > 0 } domain && !IsDomainName(domain))
        {
            errors.Add($"spec.domainName \"{domain}\" is not a valid DNS domain name");
        }

        for (var i = 0; i < input.SearchDomains.Count; i++)
        {
            if (!IsDomainName(input.SearchDomains[i]))
            {
                errors.Add($"spec.searchDomains[{i}] \"{input.SearchDomains[i]}\" is not a valid DNS domain name");
            }
        }

        if (input.LeaseTimeSeconds is { } lease && lease is < MinLeaseTimeSeconds or > MaxLeaseTimeSeconds)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"spec.leaseTimeSeconds {lease} must be between {MinLeaseTimeSeconds} and {MaxLeaseTimeSeconds}"));
        }

        if (input.Mtu is { } mtu && mtu is < 68 or > 65535)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"spec.mtu {mtu} must be between 68 and 65535"));
        }

        if (!hasCidr)
        {
            return new IpPoolValidation(null, errors, notes);
        }

        HostInSubnet("spec.serverIP", server, cidr, errors);
        HostInSubnet("spec.router", router, cidr, errors);
        if (server is { } s && router == s)
        {
            errors.Add($"spec.router {Ipv4.Format(s)} must differ from spec.serverIP");
        }

        var rangeStart = start ?? cidr.Network + 1;
        var rangeEnd = end ?? cidr.Broadcast - 1;
        HostInSubnet("spec.range.start", rangeStart, cidr, errors);
        HostInSubnet("spec.range.end", rangeEnd, cidr, errors);
        if (rangeStart > rangeEnd)
        {
            errors.Add($"spec.range.start {Ipv4.Format(rangeStart)} is after spec.range.end {Ipv4.Format(rangeEnd)}");
        }

        var rangeText = $"{Ipv4.Format(rangeStart)}-{Ipv4.Format(rangeEnd)}";
        var reserved = new SortedSet<uint>();
        for (var i = 0; i < excludes.Count; i++)
        {
            if (excludes[i] is not { } exclude)
            {
                continue;
            }

            if (exclude < rangeStart || exclude > rangeEnd)
            {
                errors.Add($"spec.exclude[{i}] {Ipv4.Format(exclude)} is outside the allocation range {rangeText}");
            }
            else
            {
                reserved.Add(exclude);
            }
        }

        foreach (var (field, address) in new[] { ("serverIP", server), ("router", router) })
        {
            if (address is { } a && a >= rangeStart && a <= rangeEnd && reserved.Add(a))
            {
                notes.Add($"spec.{field} {Ipv4.Format(a)} is inside the allocation range {rangeText}; it is excluded automatically");
            }
        }

        if (errors.Count == 0 && (ulong)rangeEnd - rangeStart + 1 <= (ulong)reserved.Count)
        {
            errors.Add($"the allocation range {rangeText} has no address left once the excluded ones are removed");
        }

        foreach (var other in otherPools)
        {
            if (other.Name != input.Name && other.Network == input.Network && other.Cidr.Overlaps(cidr))
            {
                errors.Add($"spec.cidr {cidr} overlaps {other.Cidr} of pool {other.Name} on the same network {other.Network}");
            }
        }

        if (errors.Count > 0)
        {
            return new IpPoolValidation(null, errors, notes);
        }

        return new IpPoolValidation(
            new IpPoolDefinition
            {
                Name = input.Name,
                Network = input.Network!,
                Cidr = cidr,
                ServerIp = server!.Value,
                Router = router,
                RangeStart = rangeStart,
                RangeEnd = rangeEnd,
                Reserved = [.. reserved],
                Dns = [.. dns.Select(d => d!.Value)],
                DomainName = string.IsNullOrEmpty(input.DomainName) ? null : input.DomainName,
                SearchDomains = input.SearchDomains,
                Ntp = [.. ntp.Select(d => d!.Value)],
                LeaseTimeSeconds = input.LeaseTimeSeconds ?? IpPoolDefinition.DefaultLeaseTimeSeconds,
                Mtu = input.Mtu,
            },
            errors,
            notes);
    }

    /// <summary><c>namespace/name</c> with two DNS-1123 parts.</summary>
    public static bool IsNetworkReference(string? reference)
    {
        var slash = reference?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0 && IsDnsLabel(reference![..slash]) && IsDnsSubdomain(reference[(slash + 1)..]);
    }

    private static uint? Address(string field, string? text, bool required, List<string> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                errors.Add($"{field} is required");
            }

            return null;
        }

        if (Ipv4.TryParse(text, out var address))
        {
            return address;
        }

        errors.Add($"{field} \"{text}\" is not an IPv4 address");
        return null;
    }

    private static void HostInSubnet(string field, uint? address, Ipv4Cidr cidr, List<string> errors)
    {
        if (address is not { } a)
        {
            return;
        }

        if (!cidr.Contains(a))
        {
            errors.Add($"{field} {Ipv4.Format(a)} is outside the subnet {cidr}");
        }
        else if (!cidr.IsUsableHost(a))
        {
            errors.Add($"{field} {Ipv4.Format(a)} is the {(a == cidr.Network ? "network" : "broadcast")} address of {cidr}");
        }
    }

    private static bool IsDomainName(string name)
    {
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        return trimmed.Length is > 0 and <= 253 && trimmed.Split('.').All(IsHostLabel);
    }

    private static bool IsHostLabel(string label) =>
        label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-'
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool IsDnsLabel(string label) =>
        IsHostLabel(label) && !label.Any(char.IsAsciiLetterUpper);

    private static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253 && name.Split('.').All(IsDnsLabel);
}
