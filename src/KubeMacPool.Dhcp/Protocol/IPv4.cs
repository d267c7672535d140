using System.Buffers.Binary;
using System.Net;

namespace KubeMacPool.Dhcp.Protocol;

/// <summary>IPv4 addresses as host-order integers, the shape the wire format and masks want.</summary>
internal static class IPv4
{
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        return address.TryWriteBytes(bytes, out var written) && written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : 0;
    }

    public static IPAddress FromUInt32(uint value) => value == 0 ? IPAddress.Any : new IPAddress(BinaryPrimitives.ReverseEndianness(value));

    public static IPAddress Read(ReadOnlySpan<byte> source) => FromUInt32(BinaryPrimitives.ReadUInt32BigEndian(source));

    public static void Write(IPAddress address, Span<byte> destination) =>
        BinaryPrimitives.WriteUInt32BigEndian(destination, ToUInt32(address));

    public static bool IsContiguousMask(uint mask) => (~mask & (~mask + 1)) == 0;

    public static int PrefixLength(uint mask) => System.Numerics.BitOperations.PopCount(mask);
}
