namespace KubeMacPool.Dhcp.Protocol;

/// <summary>
/// One option with its whole value. On the wire a value over 255 bytes is split into consecutive instances of the
/// same code (RFC 3396); the decoder joins them and the encoder splits them again.
/// </summary>
public readonly record struct DhcpOption(DhcpOptionCode Code, ReadOnlyMemory<byte> Data)
{
    public override string ToString() => $"{(byte)Code}[{Data.Length}]";
}
