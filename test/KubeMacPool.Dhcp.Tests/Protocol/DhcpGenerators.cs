using System.Net;
using CsCheck;
using KubeMacPool.Dhcp.Protocol;

namespace KubeMacPool.Dhcp.Tests.Protocol;

/// <summary>CsCheck generators of valid DHCP messages (what the encoder may be asked to write).</summary>
internal static class DhcpGenerators
{
    public static readonly Gen<IPAddress> Address = Gen.UInt.Select(value => new IPAddress(BitConverter.GetBytes(value)));

    /// <summary>Codes with free-form values: never Pad, End, Overload, nor the fixed-size ones the decoder checks.</summary>
    private static readonly Gen<byte> FreeCode = Gen.Byte[1, 254].Where(code => code is not (50 or 52 or 53 or 54 or 57));

    private static readonly Gen<DhcpOption> FreeOption =
        Gen.Select(FreeCode, Gen.Byte.Array[0, 600], (code, data) => new DhcpOption((DhcpOptionCode)code, data));

    private static readonly Gen<DhcpOption> FixedOption = Gen.OneOf(
        Gen.Byte[1, 8].Select(type => new DhcpOption(DhcpOptionCode.MessageType, new[] { type })),
        Gen.Byte.Array[4].Select(data => new DhcpOption(DhcpOptionCode.RequestedIPAddress, data)),
        Gen.Byte.Array[4].Select(data => new DhcpOption(DhcpOptionCode.ServerIdentifier, data)),
        Gen.Byte.Array[2].Select(data => new DhcpOption(DhcpOptionCode.MaxMessageSize, data)));

    /// <summary>Options with distinct codes (a repeated code would be joined on decode, by design).</summary>
    public static readonly Gen<DhcpOption[]> Options = Gen.Frequency((4, FreeOption), (1, FixedOption)).Array[0, 12]
        .Select(options => options.DistinctBy(option => option.Code).ToArray());

    public static readonly Gen<DhcpMessage> Message =
        Gen.Select(
            Gen.Select(Gen.Byte[1, 2], Gen.Byte, Gen.Byte[0, 16], Gen.Byte, Gen.UInt, Gen.UShort, Gen.UShort),
            Gen.Select(Address, Address, Address, Address),
            Gen.Select(Gen.Byte.Array[16], Gen.Byte.Array[64], Gen.Byte.Array[128]),
            Options,
            (header, addresses, fields, options) => new DhcpMessage
            {
                Operation = header.Item1,
                HardwareType = header.Item2,
                HardwareAddressLength = header.Item3,
                Hops = header.Item4,
                TransactionId = header.Item5,
                Seconds = header.Item6,
                Flags = header.Item7,
                ClientAddress = addresses.Item1,
                YourAddress = addresses.Item2,
                NextServerAddress = addresses.Item3,
                RelayAddress = addresses.Item4,
                ClientHardwareAddress = fields.Item1,
                ServerName = fields.Item2,
                BootFile = fields.Item3,
                Options = options,
            });
}
