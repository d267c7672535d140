using System.Buffers.Binary;
using System.Net;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Dhcp.Protocol;

/// <summary>A decoded DHCPv4/BOOTP message (RFC 2131 §2): the fixed header plus options in wire order.</summary>
public sealed record DhcpMessage
{
    public const byte BootRequest = 1;
    public const byte BootReply = 2;
    public const ushort BroadcastFlag = 0x8000;

    /// <summary>BOOTREQUEST (1) or BOOTREPLY (2).</summary>
    public byte Operation { get; init; } = BootRequest;

    public byte HardwareType { get; init; } = 1;

    public byte HardwareAddressLength { get; init; } = 6;

    public byte Hops { get; init; }

    public uint TransactionId { get; init; }

    public ushort Seconds { get; init; }

    public ushort Flags { get; init; }

    public IPAddress ClientAddress { get; init; } = IPAddress.Any;

    public IPAddress YourAddress { get; init; } = IPAddress.Any;

    public IPAddress NextServerAddress { get; init; } = IPAddress.Any;

    public IPAddress RelayAddress { get; init; } = IPAddress.Any;

    /// <summary>The 16-byte chaddr field; only the first <see cref="HardwareAddressLength"/> bytes are meaningful.</summary>
    public ReadOnlyMemory<byte> ClientHardwareAddress { get; init; } = new byte[16];

    /// <summary>The 64-byte sname field, raw (it holds options when overloaded).</summary>
    public ReadOnlyMemory<byte> ServerName { get; init; } = new byte[64];

    /// <summary>The 128-byte file field, raw (it holds options when overloaded).</summary>
    public ReadOnlyMemory<byte> BootFile { get; init; } = new byte[128];

    /// <summary>Options in order of first appearance, long options already joined.</summary>
    public IReadOnlyList<DhcpOption> Options { get; init; } = [];

    public bool IsBroadcast => (Flags & BroadcastFlag) != 0;

    /// <summary>The client's MAC when the hardware is Ethernet (htype 1, hlen 6).</summary>
    public MacAddress? ClientMac
    {
        get
        {
            if (HardwareType != 1 || HardwareAddressLength != 6 || ClientHardwareAddress.Length < 6)
            {
                return null;
            }

            var span = ClientHardwareAddress.Span;
            return new MacAddress(((ulong)BinaryPrimitives.ReadUInt16BigEndian(span) << 32) | BinaryPrimitives.ReadUInt32BigEndian(span[2..]));
        }
    }

    public bool TryGetOption(DhcpOptionCode code, out ReadOnlyMemory<byte> data)
    {
        foreach (var option in Options)
        {
            if (option.Code == code)
            {
                data = option.Data;
                return true;
            }
        }

        data = default;
        return false;
    }

    /// <summary>Option 53; the decoder guarantees it is one byte when present.</summary>
    public DhcpMessageType? MessageType =>
        TryGetOption(DhcpOptionCode.MessageType, out var data) && data.Length == 1 ? (DhcpMessageType)data.Span[0] : null;

    public IPAddress? RequestedAddress => ReadAddress(DhcpOptionCode.RequestedIPAddress);

    public IPAddress? ServerIdentifier => ReadAddress(DhcpOptionCode.ServerIdentifier);

    /// <summary>Option 57, the largest DHCP message the client accepts; RFC 2132 forbids values under 576.</summary>
    public int? MaxMessageSize =>
        TryGetOption(DhcpOptionCode.MaxMessageSize, out var data) && data.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(data.Span) : null;

    public ReadOnlyMemory<byte> ParameterRequestList =>
        TryGetOption(DhcpOptionCode.ParameterRequestList, out var data) ? data : ReadOnlyMemory<byte>.Empty;

    private IPAddress? ReadAddress(DhcpOptionCode code) =>
        TryGetOption(code, out var data) && data.Length == 4 ? IPv4.Read(data.Span) : null;
}
