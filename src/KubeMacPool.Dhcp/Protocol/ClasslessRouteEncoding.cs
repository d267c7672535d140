using System.Net;
using KubeMacPool.Dhcp.Leases;

namespace KubeMacPool.Dhcp.Protocol;

/// <summary>Option 121 (RFC 3442): per route the prefix length, the significant destination octets, the gateway.</summary>
public static class ClasslessRouteEncoding
{
    public static byte[] Encode(IReadOnlyList<ClasslessRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var output = new List<byte>();
        Span<byte> address = stackalloc byte[4];
        foreach (var route in routes)
        {
            output.Add((byte)route.PrefixLength);
            IPv4.Write(route.Destination, address);
            for (var i = 0; i < (route.PrefixLength + 7) / 8; i++)
            {
                output.Add(address[i]);
            }

            IPv4.Write(route.Gateway, address);
            output.AddRange(address.ToArray());
        }

        return [.. output];
    }

    /// <summary>Reads an option 121 value; null when it is malformed.</summary>
    public static IReadOnlyList<ClasslessRoute>? Decode(ReadOnlySpan<byte> data)
    {
        var routes = new List<ClasslessRoute>();
        var position = 0;
        Span<byte> destination = stackalloc byte[4];
        while (position < data.Length)
        {
            int prefix = data[position++];
            var significant = (prefix + 7) / 8;
            if (prefix > 32 || position + significant + 4 > data.Length)
            {
                return null;
            }

            destination.Clear();
            data.Slice(position, significant).CopyTo(destination);
            position += significant;
            routes.Add(new ClasslessRoute(new IPAddress(destination), prefix, new IPAddress(data.Slice(position, 4))));
            position += 4;
        }

        return routes;
    }
}
