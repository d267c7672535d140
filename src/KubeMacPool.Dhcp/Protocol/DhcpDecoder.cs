using System.Buffers.Binary;

namespace KubeMacPool.Dhcp.Protocol;

/// <summary>
/// Reads a DHCPv4 datagram (RFC 2131 §2, RFC 2132). Options are read from the options field, then from file and
/// sname when option 52 overloads them (that order, RFC 2131 §4.1); repeated instances of a code are joined (RFC 3396).
/// </summary>
public static class DhcpDecoder
{
    public const int HeaderLength = 236;
    public const int OptionsOffset = HeaderLength + 4;
    public const int MaxDatagramLength = 65_507;
    public const uint MagicCookie = 0x63825363;
    internal const int ServerNameOffset = 44;
    internal const int BootFileOffset = 108;

    public static DhcpDecodeResult Decode(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < OptionsOffset)
        {
            return DhcpDecodeResult.Fail(DhcpDecodeError.Truncated, $"{datagram.Length} bytes, need at least {OptionsOffset}");
        }

        if (datagram.Length > MaxDatagramLength)
        {
            return DhcpDecodeResult.Fail(DhcpDecodeError.Oversized, $"{datagram.Length} bytes, a UDP datagram holds at most {MaxDatagramLength}");
        }

        var op = datagram[0];
        var hlen = datagram[2];
        if (op is not (DhcpMessage.BootRequest or DhcpMessage.BootReply) || hlen > 16)
        {
            return DhcpDecodeResult.Fail(DhcpDecodeError.BadHeader, $"op {op}, hlen {hlen}");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[HeaderLength..]) != MagicCookie)
        {
            return DhcpDecodeResult.Fail(DhcpDecodeError.BadMagicCookie, "no DHCP magic cookie");
        }

        // One copy of the datagram; option values are slices of it unless they were split on the wire.
        var buffer = datagram.ToArray();
        var segments = new List<Segment>(16);
        if (ScanOptions(buffer, OptionsOffset, buffer.Length, segments, allowOverload: true) is { } mainError)
        {
            return mainError;
        }

        var overload = 0;
        foreach (var segment in segments)
        {
            if (segment.Code == (byte)DhcpOptionCode.OptionOverload)
            {
                if (segment.Length != 1 || buffer[segment.Offset] is < 1 or > 3)
                {
                    return DhcpDecodeResult.Fail(DhcpDecodeError.BadOptionValue, "option 52 must be one byte of 1, 2 or 3");
                }

                overload |= buffer[segment.Offset];
            }
        }

        if ((overload & 1) != 0 &&
            ScanOptions(buffer, BootFileOffset, BootFileOffset + 128, segments, allowOverload: false) is { } fileError)
        {
            return fileError;
        }

        if ((overload & 2) != 0 &&
            ScanOptions(buffer, ServerNameOffset, ServerNameOffset + 64, segments, allowOverload: false) is { } snameError)
        {
            return snameError;
        }

        var options = Join(buffer, segments);
        if (Validate(options) is { } optionError)
        {
            return optionError;
        }

        var message = new DhcpMessage
        {
            Operation = op,
            HardwareType = buffer[1],
            HardwareAddressLength = hlen,
            Hops = buffer[3],
            TransactionId = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4)),
            Seconds = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(8)),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(10)),
            ClientAddress = IPv4.Read(buffer.AsSpan(12)),
            YourAddress = IPv4.Read(buffer.AsSpan(16)),
            NextServerAddress = IPv4.Read(buffer.AsSpan(20)),
            RelayAddress = IPv4.Read(buffer.AsSpan(24)),
            ClientHardwareAddress = buffer.AsMemory(28, 16),
            ServerName = buffer.AsMemory(ServerNameOffset, 64),
            BootFile = buffer.AsMemory(BootFileOffset, 128),
            Options = options,
        };
        return new DhcpDecodeResult(message, DhcpDecodeError.None, null);
    }

    private readonly record struct Segment(byte Code, int Offset, int Length);

    private static DhcpDecodeResult? ScanOptions(byte[] buffer, int start, int end, List<Segment> segments, bool allowOverload)
    {
        var position = start;
        while (position < end)
        {
            var code = buffer[position++];
            if (code == (byte)DhcpOptionCode.Pad)
            {
                continue;
            }

            if (code == (byte)DhcpOptionCode.End)
            {
                return null;
            }

            if (position >= end || position + buffer[position] + 1 > end)
            {
                return DhcpDecodeResult.Fail(DhcpDecodeError.OptionOverrun, $"option {code} at offset {position - 1} runs past offset {end}");
            }

            var length = buffer[position++];
            // 52 inside file/sname would loop the overload; RFC 2131 only allows it in the options field.
            if (allowOverload || code != (byte)DhcpOptionCode.OptionOverload)
            {
                segments.Add(new Segment(code, position, length));
            }

            position += length;
        }

        // A missing End option is tolerated: many clients pad to the end instead.
        return null;
    }

    private static DhcpOption[] Join(byte[] buffer, List<Segment> segments)
    {
        Span<int> totals = stackalloc int[256];
        Span<int> counts = stackalloc int[256];
        var distinct = 0;
        foreach (var segment in segments)
        {
            if (counts[segment.Code]++ == 0)
            {
                distinct++;
            }

            totals[segment.Code] += segment.Length;
        }

        var options = new DhcpOption[distinct];
        Span<int> index = stackalloc int[256];
        index.Fill(-1);
        var next = 0;
        foreach (var segment in segments)
        {
            var code = segment.Code;
            if (counts[code] == 1)
            {
                options[next++] = new DhcpOption((DhcpOptionCode)code, buffer.AsMemory(segment.Offset, segment.Length));
                continue;
            }

            if (index[code] < 0)
            {
                index[code] = next;
                options[next++] = new DhcpOption((DhcpOptionCode)code, new byte[totals[code]]);
                totals[code] = 0; // reused as the write position
            }

            var joined = options[index[code]];
            buffer.AsSpan(segment.Offset, segment.Length).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsMemory(joined.Data).Span[totals[code]..]);
            totals[code] += segment.Length;
        }

        return options;
    }

    private static DhcpDecodeResult? Validate(DhcpOption[] options)
    {
        foreach (var option in options)
        {
            var valid = option.Code switch
            {
                DhcpOptionCode.MessageType => option.Data.Length == 1,
                DhcpOptionCode.RequestedIPAddress or DhcpOptionCode.ServerIdentifier => option.Data.Length == 4,
                DhcpOptionCode.MaxMessageSize => option.Data.Length == 2,
                _ => true,
            };
            if (!valid)
            {
                return DhcpDecodeResult.Fail(DhcpDecodeError.BadOptionValue, $"option {(byte)option.Code} has a bad value ({option.Data.Length} bytes)");
            }
        }

        return null;
    }
}
