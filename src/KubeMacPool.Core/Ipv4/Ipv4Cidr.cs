using System.Globalization;

namespace KubeMacPool.Core.Ipv4;

/// <summary>An IPv4 subnet in CIDR form; the network address has no host bits set.</summary>
public readonly record struct Ipv4Cidr(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint Broadcast => Network | ~Mask;

    /// <summary>/31 (RFC 3021) and /32 have no network or broadcast address to keep free.</summary>
    public bool HasNetworkAndBroadcast => PrefixLength <= 30;

    public ulong Size => 1UL << (32 - PrefixLength);

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>Inside the subnet and not its network or broadcast address.</summary>
    public bool IsUsableHost(uint address) =>
        Contains(address) && (!HasNetworkAndBroadcast || (address != Network && address != Broadcast));

    public bool Overlaps(Ipv4Cidr other) => Contains(other.Network) || other.Contains(Network);

    /// <summary>Parses <c>a.b.c.d/n</c>; the error says what is wrong (including host bits, with the fix).</summary>
    public static bool TryParse(string? text, out Ipv4Cidr cidr, out string? error)
    {
        cidr = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 0)
        {
            error = $"\"{text}\" is not in CIDR form (for example 10.0.0.0/24)";
            return false;
        }

        if (!Ipv4.TryParse(text[..slash], out var address))
        {
            error = $"\"{text}\": \"{text[..slash]}\" is not an IPv4 address";
            return false;
        }

        var prefixText = text[(slash + 1)..];
        if (prefixText.Length is 0 or > 2 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            error = $"\"{text}\": the prefix length must be a number from 0 to 32";
            return false;
        }

        cidr = new Ipv4Cidr(address, prefix);
        if ((address & cidr.Mask) != address)
        {
            var network = new Ipv4Cidr(address & cidr.Mask, prefix);
            error = $"\"{text}\" has host bits set; the subnet is {network}";
            return false;
        }

        error = null;
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Ipv4.Format(Network)}/{PrefixLength}");
}
