using System.Buffers.Binary;

namespace KubeMacPool.Dhcp.Protocol;

/// <summary>
/// Writes a DHCPv4 message. Values over 255 bytes are split into consecutive instances (RFC 3396); the message is
/// padded to the 300 bytes BOOTP relays and old clients expect (RFC 1542 §3.4).
/// </summary>
public static class DhcpEncoder
{
    public const int MinimumLength = 300;

    /// <summary>The wire size of <paramref name="message"/> with every option.</summary>
    public static int MeasureLength(DhcpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var length = DhcpDecoder.OptionsOffset + 1;
        foreach (var option in message.Options)
        {
            length += OptionWireLength(option);
        }

        return Math.Max(length, MinimumLength);
    }

    public static byte[] Encode(DhcpMessage message)
    {
        var buffer = new byte[MeasureLength(message)];
        var written = Encode(message, buffer, buffer.Length, out _);
        return written == buffer.Length ? buffer : buffer[..written];
    }

    /// <summary>
    /// Writes at most <paramref name="maxLength"/> bytes into <paramref name="destination"/>. Options that do not fit
    /// are skipped (callers order options by importance) and counted in <paramref name="dropped"/>.
    /// </summary>
    public static int Encode(DhcpMessage message, Span<byte> destination, int maxLength, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(message);
        maxLength = Math.Min(maxLength, destination.Length);
        if (maxLength < DhcpDecoder.OptionsOffset + 1)
        {
            throw new ArgumentException($"a DHCP message needs at least {DhcpDecoder.OptionsOffset + 1} bytes", nameof(maxLength));
        }

        var span = destination[..maxLength];
        span[..DhcpDecoder.OptionsOffset].Clear();
        span[0] = message.Operation;
        span[1] = message.HardwareType;
        span[2] = message.HardwareAddressLength;
        span[3] = message.Hops;
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], message.TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], message.Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], message.Flags);
        IPv4.Write(message.ClientAddress, span[12..]);
        IPv4.Write(message.YourAddress, span[16..]);
        IPv4.Write(message.NextServerAddress, span[20..]);
        IPv4.Write(message.RelayAddress, span[24..]);
        CopyField(message.ClientHardwareAddress.Span, span.Slice(28, 16));
        CopyField(message.ServerName.Span, span.Slice(DhcpDecoder.ServerNameOffset, 64));
        CopyField(message.BootFile.Span, span.Slice(DhcpDecoder.BootFileOffset, 128));
        BinaryPrimitives.WriteUInt32BigEndian(span[DhcpDecoder.HeaderLength..], DhcpDecoder.MagicCookie);

        var position = DhcpDecoder.OptionsOffset;
        var room = maxLength - 1; // keep one byte for End
        dropped = 0;
        foreach (var option in message.Options)
        {
            if (position + OptionWireLength(option) > room)
            {
                dropped++;
                continue;
            }

            position = WriteOption(option, span, position);
        }

        span[position++] = (byte)DhcpOptionCode.End;
        var total = Math.Min(Math.Max(position, MinimumLength), maxLength);
        span[position..total].Clear();
        return total;
    }

    private static int OptionWireLength(DhcpOption option)
    {
        var length = option.Data.Length;
        var chunks = Math.Max(1, (length + 254) / 255);
        return length + (2 * chunks);
    }

    private static int WriteOption(DhcpOption option, Span<byte> span, int position)
    {
        var data = option.Data.Span;
        do
        {
            var chunk = Math.Min(data.Length, 255);
            span[position++] = (byte)option.Code;
            span[position++] = (byte)chunk;
            data[..chunk].CopyTo(span[position..]);
            position += chunk;
            data = data[chunk..];
        }
        while (!data.IsEmpty);

        return position;
    }

    private static void CopyField(ReadOnlySpan<byte> source, Span<byte> field) =>
        source[..Math.Min(source.Length, field.Length)].CopyTo(field);
}
