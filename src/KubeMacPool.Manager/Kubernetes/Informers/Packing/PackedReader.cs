using System.Buffers.Binary;
using System.Text;

namespace KubeMacPool.Manager.Kubernetes.Informers.Packing;

/// <summary>Reads back, field by field and in the same order, what <see cref="PackedWriter"/> wrote.</summary>
internal ref struct PackedReader(ReadOnlySpan<byte> bytes)
{
    public const byte UidNull = 0;
    public const byte UidGuid = 1;
    public const byte UidText = 2;

    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public int Count()
    {
        var value = 0;
        var shift = 0;
        byte next;
        do
        {
            next = _bytes[_position++];
            value |= (next & 0x7F) << shift;
            shift += 7;
        }
        while ((next & 0x80) != 0);

        return value;
    }

    public byte Byte() => _bytes[_position++];

    public string? String() => Count() is var length and > 0 ? Encoding.UTF8.GetString(Take(length - 1)) : null;

    public string? Uid() => Byte() switch
    {
        UidGuid => new Guid(Take(16)).ToString("D"),
        UidText => String(),
        _ => null,
    };

    public long? Int64() => Byte() == 0 ? null : BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public bool? Boolean() => Byte() switch { 0 => null, 1 => false, _ => true };

    public DateTime? Timestamp() => Int64() is { } ticks ? new DateTime(ticks, (DateTimeKind)Byte()) : null;

    /// <summary>What <see cref="PackedWriter.Bytes"/> wrote, without a copy.</summary>
    public ReadOnlySpan<byte> Span() => Take(Count());

    public List<string>? Strings()
    {
        var count = Count() - 1;
        if (count < 0)
        {
            return null;
        }

        var values = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            values.Add(String()!);
        }

        return values;
    }

    /// <summary>What <see cref="PackedWriter.Kept"/> wrote, keyed by the same shared <paramref name="keys"/>.</summary>
    public CompactMap? Kept(string[] keys, bool internValues)
    {
        var count = Count();
        if (count == 0)
        {
            return null;
        }

        var entries = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            var key = keys[Byte()];
            var value = String()!;
            entries[i] = new(key, internValues ? string.Intern(value) : value);
        }

        return new CompactMap(entries);
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        var span = _bytes.Slice(_position, length);
        _position += length;
        return span;
    }
}
