using System.Buffers;
using System.Text.Json;
using static KubeMacPool.Manager.Kubernetes.Informers.JsonTokens;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>Reads one list item into the shape the cache keeps; the reader is at the item's first token and sees only the item.</summary>
internal delegate T ListItemReader<out T>(ref Utf8JsonReader reader);

/// <summary>
/// Reads a list response (<c>{"metadata": {…}, "items": […]}</c>) as its bytes arrive. Each call reads what is whole in
/// the buffer and says how far it got; the rest is read again with more bytes. An item goes to
/// <see cref="ListItemReader{T}"/> only once it is whole, so the item readers never see a partial value. Memory is the
/// items built plus the read buffer, whatever the size of the response: a list the API server answers from its watch
/// cache comes in one response, limit or not.
/// </summary>
internal sealed class ListResponseReader<T>(ListItemReader<T> readItem)
{
    private enum Part
    {
        Start,
        Properties,
        Items,
        End,
    }

    private readonly List<T> _items = [];
    private JsonReaderState _state;
    private Part _part;
    private string? _continue;
    private string? _resourceVersion;

    /// <summary>The list read; a response that ended before its closing brace is a <see cref="JsonException"/>.</summary>
    public ResourcePage<T> Page => _part == Part.End
        ? new ResourcePage<T>(_items, string.IsNullOrEmpty(_continue) ? null : _continue, _resourceVersion)
        : throw new JsonException("the list response ended before its last token");

    /// <summary>Reads what is whole in <paramref name="buffer"/>; returns where the unread part starts.</summary>
    public SequencePosition Read(ReadOnlySequence<byte> buffer, bool final)
    {
        var reader = new Utf8JsonReader(buffer, final, _state);
        var whole = reader;
        while (_part != Part.End && Step(ref reader, buffer))
        {
            whole = reader;
        }

        _state = whole.CurrentState;
        return whole.Position;
    }

    /// <summary>One token, property or item further; false when the buffer ends first.</summary>
    private bool Step(ref Utf8JsonReader reader, in ReadOnlySequence<byte> buffer)
    {
        if (!reader.Read())
        {
            return false;
        }

        switch (_part)
        {
            case Part.Start:
                ExpectObject(ref reader);
                _part = Part.Properties;
                return true;
            case Part.Properties when reader.TokenType == JsonTokenType.EndObject:
                _part = Part.End;
                return true;
            case Part.Properties:
                return ReadProperty(ref reader, buffer);
            default:
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _part = Part.Properties;
                    return true;
                }

                if (!Whole(ref reader, buffer, out var item))
                {
                    return false;
                }

                _items.Add(readItem(ref item));
                return true;
        }
    }

    /// <summary>The reader at a property name of the list: items are read one by one, metadata whole, the rest skipped.</summary>
    private bool ReadProperty(ref Utf8JsonReader reader, in ReadOnlySequence<byte> buffer)
    {
        var items = reader.ValueTextEquals("items"u8);
        var metadata = reader.ValueTextEquals("metadata"u8);
        if (!reader.Read())
        {
            return false;
        }

        if (items && reader.TokenType == JsonTokenType.StartArray)
        {
            _part = Part.Items;
            return true;
        }

        if (!Whole(ref reader, buffer, out var value))
        {
            return false;
        }

        if (metadata)
        {
            ReadMetadata(ref value);
        }

        return true;
    }

    private void ReadMetadata(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "continue"u8))
            {
                _continue = String(ref reader);
            }
            else if (Take(ref reader, "resourceVersion"u8))
            {
                _resourceVersion = String(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    /// <summary>
    /// When the value the reader is at is whole in the buffer, moves the reader past it and gives a reader of that
    /// value alone, at its first token; false when the buffer ends inside it.
    /// </summary>
    private static bool Whole(ref Utf8JsonReader reader, in ReadOnlySequence<byte> buffer, out Utf8JsonReader value)
    {
        var start = reader.TokenStartIndex;
        if (!reader.TrySkip())
        {
            value = default;
            return false;
        }

        var bytes = buffer.Slice(start, reader.BytesConsumed - start);
        value = bytes.IsSingleSegment ? new Utf8JsonReader(bytes.FirstSpan) : new Utf8JsonReader(bytes);
        value.Read();
        return true;
    }
}
