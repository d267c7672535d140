using System.Diagnostics.CodeAnalysis;

namespace KubeMacPool.Dhcp.Protocol;

/// <summary>Either a message or the reason there is none; decoding never throws on input.</summary>
public readonly record struct DhcpDecodeResult(DhcpMessage? Message, DhcpDecodeError Error, string? Detail)
{
    [MemberNotNullWhen(true, nameof(Message))]
    public bool Succeeded => Message is not null;

    public static DhcpDecodeResult Fail(DhcpDecodeError error, string detail) => new(null, error, detail);
}
