using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KubeMacPool.Manager.Kubernetes.Informers.Packing;

/// <summary>
/// Writes the fields of one cached object as bytes, in the order its packer reads them back with
/// <see cref="PackedReader"/>: lengths as 7-bit varints, strings as UTF-8, UIDs as 16 bytes. No field names and no
/// versioning: a packed object lives only in this process's memory.
/// </summary>
internal sealed class PackedWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>The bytes written since the last call, as a new array; the writer is then empty again.</summary>
    public byte[] ToArrayAndReset()
    {
        var bytes = _buffer.WrittenSpan.ToArray();
        _buffer.ResetWrittenCount();
        return bytes;
    }

    public void Count(int value)
    {
        var span = _buffer.GetSpan(5);
        var written = 0;
        var rest = (uint)value;
        while (rest >= 0x80)
        {
            span[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }

        span[written++] = (byte)rest;
        _buffer.Advance(written);
    }

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Null as 0, otherwise its UTF-8 length + 1 and the bytes.</summary>
    public void String(string? value)
    {
        if (value is null)
        {
            Count(0);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        Count(length + 1);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    /// <summary>A UID in the API server's form (a lowercase GUID) as its 16 bytes; any other text as text.</summary>
    public void Uid(string? value)
    {
        Span<char> canonical = stackalloc char[36];
        if (value is null)
        {
            Byte(PackedReader.UidNull);
        }
        else if (Guid.TryParseExact(value, "D", out var guid) && guid.TryFormat(canonical, out var written, "D")
                 && canonical[..written].SequenceEqual(value))
        {
            Byte(PackedReader.UidGuid);
            guid.TryWriteBytes(_buffer.GetSpan(16));
            _buffer.Advance(16);
        }
        else
        {
            Byte(PackedReader.UidText);
            String(value);
        }
    }

    public void Int64(long? value)
    {
        Byte(value is null ? (byte)0 : (byte)1);
        if (value is { } present)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), present);
            _buffer.Advance(8);
        }
    }

    public void Boolean(bool? value) => Byte(value switch { null => 0, false => 1, true => 2 });

    /// <summary>Ticks and kind, so the value reads back equal to the one written.</summary>
    public void Timestamp(DateTime? value)
    {
        Int64(value?.Ticks);
        if (value is { } present)
        {
            Byte((byte)present.Kind);
        }
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Count(value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void Strings(ICollection<string>? values)
    {
        if (values is null)
        {
            Count(0);
            return;
        }

        Count(values.Count + 1);
        foreach (var value in values)
        {
            String(value);
        }
    }

    /// <summary>
    /// The entries of <paramref name="map"/> under <paramref name="keys"/> (the keys a trim keeps), each as the key's
    /// index and its value; a map with none of them reads back as null, as the trims keep it.
    /// </summary>
    public void Kept(IDictionary<string, string>? map, string[] keys)
    {
        var count = 0;
        foreach (var key in keys)
        {
            count += map is not null && map.ContainsKey(key) ? 1 : 0;
        }

        Count(count);
        for (var i = 0; i < keys.Length && count > 0; i++)
        {
            if (map!.TryGetValue(keys[i], out var value))
            {
                Byte((byte)i);
                String(value);
            }
        }
    }
}
