using System.Text;

namespace KubeMacPool.Dhcp.Protocol;

/// <summary>
/// Option 119 (RFC 3397): the search list as a sequence of DNS names in RFC 1035 wire form. Suffixes already written
/// are replaced by compression pointers (relative to the start of the option value), as the RFC recommends.
/// </summary>
public static class DomainSearchEncoding
{
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253)
        {
            return false;
        }

        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            if (label.Length is 0 or > 63 || !Ascii.IsValid(label) || label.Any(char.IsWhiteSpace))
            {
                return false;
            }
        }

        return true;
    }

    public static byte[] Encode(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var output = new List<byte>();
        var suffixOffsets = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            var labels = name.TrimEnd('.').Split('.');
            for (var i = 0; i < labels.Length; i++)
            {
                var suffix = string.Join('.', labels[i..]);
                if (suffixOffsets.TryGetValue(suffix, out var pointer))
                {
                    output.Add((byte)(0xC0 | (pointer >> 8)));
                    output.Add((byte)pointer);
                    goto NextName;
                }

                if (output.Count < 0x3FFF)
                {
                    suffixOffsets[suffix] = output.Count;
                }

                output.Add((byte)labels[i].Length);
                output.AddRange(Encoding.ASCII.GetBytes(labels[i]));
            }

            output.Add(0);
        NextName:;
        }

        return [.. output];
    }

    /// <summary>Reads an option 119 value back into names; null when it is malformed (bad pointer, loop, overrun).</summary>
    public static IReadOnlyList<string>? Decode(ReadOnlySpan<byte> data)
    {
        var names = new List<string>();
        var position = 0;
        while (position < data.Length)
        {
            var labels = new List<string>();
            var cursor = position;
            var jumped = false;
            var hops = 0;
            while (true)
            {
                if (cursor >= data.Length || ++hops > 255)
                {
                    return null;
                }

                var length = data[cursor];
                if ((length & 0xC0) == 0xC0)
                {
                    if (cursor + 1 >= data.Length)
                    {
                        return null;
                    }

                    var target = ((length & 0x3F) << 8) | data[cursor + 1];
                    if (!jumped)
                    {
                        position = cursor + 2;
                        jumped = true;
                    }

                    if (target >= cursor)
                    {
                        return null; // pointers only go backwards, which also rules out loops
                    }

                    cursor = target;
                    continue;
                }

                if (length == 0)
                {
                    if (!jumped)
                    {
                        position = cursor + 1;
                    }

                    break;
                }

                if (length > 63 || cursor + 1 + length > data.Length)
                {
                    return null;
                }

                labels.Add(Encoding.ASCII.GetString(data.Slice(cursor + 1, length)));
                cursor += 1 + length;
            }

            names.Add(string.Join('.', labels));
        }

        return names;
    }
}
