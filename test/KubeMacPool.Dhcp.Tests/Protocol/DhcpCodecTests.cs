using System.Buffers.Binary;
using System.Net;
using CsCheck;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Dhcp.Tests.Protocol;

public sealed class DhcpCodecTests
{
    private static void AssertSameMessage(DhcpMessage expected, DhcpMessage actual)
    {
        Assert.Equal(expected.Operation, actual.Operation);
        Assert.Equal(expected.HardwareType, actual.HardwareType);
        Assert.Equal(expected.HardwareAddressLength, actual.HardwareAddressLength);
        Assert.Equal(expected.Hops, actual.Hops);
        Assert.Equal(expected.TransactionId, actual.TransactionId);
        Assert.Equal(expected.Seconds, actual.Seconds);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.ClientAddress, actual.ClientAddress);
        Assert.Equal(expected.YourAddress, actual.YourAddress);
        Assert.Equal(expected.NextServerAddress, actual.NextServerAddress);
        Assert.Equal(expected.RelayAddress, actual.RelayAddress);
        Assert.Equal(expected.ClientHardwareAddress.ToArray(), actual.ClientHardwareAddress.ToArray());
        Assert.Equal(expected.ServerName.ToArray(), actual.ServerName.ToArray());
        Assert.Equal(expected.BootFile.ToArray(), actual.BootFile.ToArray());
        Assert.Equal(
            expected.Options.Select(option => ((byte)option.Code, Convert.ToHexString(option.Data.Span))),
            actual.Options.Select(option => ((byte)option.Code, Convert.ToHexString(option.Data.Span))));
    }

    [Fact]
    public void Every_valid_message_round_trips() =>
        DhcpGenerators.Message.Sample(message =>
        {
            var bytes = DhcpEncoder.Encode(message);
            Assert.True(bytes.Length >= DhcpEncoder.MinimumLength);
            Assert.Equal(DhcpEncoder.MeasureLength(message), bytes.Length);
            var decoded = DhcpDecoder.Decode(bytes);
            Assert.True(decoded.Succeeded, decoded.Detail);
            AssertSameMessage(message, decoded.Message);
            Assert.Equal(bytes, DhcpEncoder.Encode(decoded.Message));
        });

    [Fact]
    public void A_long_option_is_split_into_255_byte_chunks_and_joined_back()
    {
        var value = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        var bytes = DhcpEncoder.Encode(new DhcpMessage { Options = [new DhcpOption(DhcpOptionCode.DomainSearch, value)] });
        var options = bytes.AsSpan(DhcpDecoder.OptionsOffset);
        Assert.Equal([119, 255], options[..2].ToArray());
        Assert.Equal([119, 255], options.Slice(2 + 255, 2).ToArray());
        Assert.Equal([119, 90], options.Slice(4 + 510, 2).ToArray());
        Assert.Equal(255, options[6 + 600]);
        var decoded = DhcpDecoder.Decode(bytes);
        Assert.True(decoded.Succeeded);
        Assert.Equal(value, Assert.Single(decoded.Message.Options).Data.ToArray());
    }

    [Fact]
    public void An_empty_option_round_trips()
    {
        var decoded = DhcpDecoder.Decode(DhcpEncoder.Encode(new DhcpMessage { Options = [new DhcpOption((DhcpOptionCode)80, Array.Empty<byte>())] }));
        Assert.True(decoded.Succeeded);
        Assert.Equal(0, Assert.Single(decoded.Message.Options).Data.Length);
    }

    /// <summary>Option 52 = 3: options continue in file, then sname; a split option joins across all three (RFC 3396).</summary>
    [Fact]
    public void Overloaded_file_and_sname_fields_are_read_in_order_and_joined()
    {
        var bytes = new byte[300];
        bytes[0] = 1;
        bytes[1] = 1;
        bytes[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(DhcpDecoder.HeaderLength), DhcpDecoder.MagicCookie);
        byte[] main = [53, 1, 1, 52, 1, 3, 119, 3, 0xA, 0xB, 0xC, 255];
        main.CopyTo(bytes, DhcpDecoder.OptionsOffset);
        byte[] file = [119, 2, 0xD, 0xE, 0, 12, 4, (byte)'h', (byte)'o', (byte)'s', (byte)'t', 255];
        file.CopyTo(bytes, 108);
        byte[] sname = [119, 1, 0xF, 50, 4, 10, 0, 0, 7, 255];
        sname.CopyTo(bytes, 44);

        var decoded = DhcpDecoder.Decode(bytes);

        Assert.True(decoded.Succeeded, decoded.Detail);
        var message = decoded.Message;
        Assert.Equal(DhcpMessageType.Discover, message.MessageType);
        Assert.True(message.TryGetOption(DhcpOptionCode.DomainSearch, out var search));
        Assert.Equal([0xA, 0xB, 0xC, 0xD, 0xE, 0xF], search.ToArray());
        Assert.True(message.TryGetOption(DhcpOptionCode.HostName, out var host));
        Assert.Equal("host"u8.ToArray(), host.ToArray());
        Assert.Equal(IPAddress.Parse("10.0.0.7"), message.RequestedAddress);
    }

    [Fact]
    public void Without_option_52_the_file_and_sname_fields_are_not_options()
    {
        var message = new DhcpMessage { BootFile = Enumerable.Repeat((byte)12, 128).ToArray(), Options = [] };
        var decoded = DhcpDecoder.Decode(DhcpEncoder.Encode(message));
        Assert.True(decoded.Succeeded);
        Assert.Empty(decoded.Message.Options);
    }

    [Theory]
    [InlineData(0, 1, DhcpDecodeError.None)]
    [InlineData(0, 4, DhcpDecodeError.BadOptionValue)]
    [InlineData(1, 0, DhcpDecodeError.BadOptionValue)]
    public void Option_52_must_be_one_byte_of_one_to_three(int unused, byte value, DhcpDecodeError expected)
    {
        _ = unused;
        var bytes = DhcpEncoder.Encode(new DhcpMessage { Options = [new DhcpOption(DhcpOptionCode.OptionOverload, new[] { value })] });
        Assert.Equal(expected, DhcpDecoder.Decode(bytes).Error);
    }

    [Fact]
    public void An_overload_pointing_at_garbage_fails_cleanly()
    {
        var message = new DhcpMessage
        {
            BootFile = Enumerable.Repeat((byte)99, 128).ToArray(), // option 99 with length 99 overruns the field
            Options = [new DhcpOption(DhcpOptionCode.OptionOverload, new byte[] { 1 })],
        };
        var decoded = DhcpDecoder.Decode(DhcpEncoder.Encode(message));
        Assert.Equal(DhcpDecodeError.OptionOverrun, decoded.Error);
        Assert.Null(decoded.Message);
    }

    [Fact]
    public void Every_length_under_the_header_is_truncated()
    {
        var valid = DhcpEncoder.Encode(new DhcpMessage());
        for (var length = 0; length < DhcpDecoder.OptionsOffset; length++)
        {
            Assert.Equal(DhcpDecodeError.Truncated, DhcpDecoder.Decode(valid.AsSpan(0, length)).Error);
        }
    }

    [Fact]
    public void A_message_cut_inside_an_option_is_an_overrun_and_any_cut_never_throws() =>
        DhcpGenerators.Message.Select(Gen.Int[0, 100], (message, percent) => (message, percent)).Sample(sample =>
        {
            var bytes = DhcpEncoder.Encode(sample.message);
            var cut = bytes[..(bytes.Length * sample.percent / 100)];
            var decoded = DhcpDecoder.Decode(cut);
            Assert.Equal(decoded.Succeeded, decoded.Error == DhcpDecodeError.None);
        });

    [Fact]
    public void A_cut_through_the_length_byte_is_reported_as_an_overrun()
    {
        var bytes = DhcpEncoder.Encode(new DhcpMessage { Options = [new DhcpOption(DhcpOptionCode.HostName, "abcdef"u8.ToArray())] });
        var decoded = DhcpDecoder.Decode(bytes.AsSpan(0, DhcpDecoder.OptionsOffset + 4));
        Assert.Equal(DhcpDecodeError.OptionOverrun, decoded.Error);
        Assert.Contains("option 12", decoded.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_datagram_larger_than_udp_allows_is_oversized_but_a_large_valid_one_decodes()
    {
        Assert.Equal(DhcpDecodeError.Oversized, DhcpDecoder.Decode(new byte[DhcpDecoder.MaxDatagramLength + 1]).Error);
        var many = Enumerable.Range(1, 200).Select(code => new DhcpOption((DhcpOptionCode)(code is 50 or 52 or 53 or 54 or 57 ? 250 - code : code), new byte[255]))
            .DistinctBy(option => option.Code).ToArray();
        var bytes = DhcpEncoder.Encode(new DhcpMessage { Options = many });
        Assert.True(bytes.Length > 40_000);
        var decoded = DhcpDecoder.Decode(bytes);
        Assert.True(decoded.Succeeded, decoded.Detail);
        Assert.Equal(many.Length, decoded.Message.Options.Count);
    }

    [Theory]
    [InlineData(0, 0, 0, DhcpDecodeError.BadHeader)]
    [InlineData(3, 0, 0, DhcpDecodeError.BadHeader)]
    [InlineData(1, 17, 0, DhcpDecodeError.BadHeader)]
    [InlineData(1, 6, 1, DhcpDecodeError.BadMagicCookie)]
    public void Bad_headers_are_refused(byte op, byte hlen, byte cookieDamage, DhcpDecodeError expected)
    {
        var bytes = DhcpEncoder.Encode(new DhcpMessage());
        bytes[0] = op;
        bytes[2] = hlen;
        bytes[DhcpDecoder.HeaderLength] ^= cookieDamage;
        Assert.Equal(expected, DhcpDecoder.Decode(bytes).Error);
    }

    [Theory]
    [InlineData(53, 2)]
    [InlineData(53, 0)]
    [InlineData(50, 3)]
    [InlineData(54, 5)]
    [InlineData(57, 1)]
    public void Fixed_size_options_with_a_wrong_length_are_refused(byte code, int length)
    {
        var bytes = DhcpEncoder.Encode(new DhcpMessage { Options = [new DhcpOption((DhcpOptionCode)code, new byte[length])] });
        var decoded = DhcpDecoder.Decode(bytes);
        Assert.Equal(DhcpDecodeError.BadOptionValue, decoded.Error);
        Assert.Contains($"option {code}", decoded.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_end_option_is_tolerated()
    {
        var bytes = DhcpEncoder.Encode(new DhcpMessage { Options = [new DhcpOption(DhcpOptionCode.MessageType, new byte[] { 1 })] });
        var withoutEnd = bytes[..(DhcpDecoder.OptionsOffset + 3)];
        var decoded = DhcpDecoder.Decode(withoutEnd);
        Assert.True(decoded.Succeeded);
        Assert.Equal(DhcpMessageType.Discover, decoded.Message.MessageType);
    }

    [Fact]
    public void Encoding_within_a_limit_skips_options_that_do_not_fit_and_keeps_the_first()
    {
        var message = new DhcpMessage
        {
            Options =
            [
                new DhcpOption(DhcpOptionCode.MessageType, new byte[] { 2 }),
                new DhcpOption(DhcpOptionCode.DomainNameServer, new byte[400]),
                new DhcpOption(DhcpOptionCode.SubnetMask, new byte[4]),
            ],
        };
        var buffer = new byte[1500];
        var length = DhcpEncoder.Encode(message, buffer, 548, out var dropped);
        Assert.Equal(1, dropped);
        Assert.True(length <= 548);
        var decoded = DhcpDecoder.Decode(buffer.AsSpan(0, length));
        Assert.True(decoded.Succeeded);
        Assert.Equal([DhcpOptionCode.MessageType, DhcpOptionCode.SubnetMask], decoded.Message.Options.Select(option => option.Code));
    }
}
