using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// A read-only string map for the labels and annotations the caches keep: one or two entries per object, so an array
/// scanned in order is both faster and far smaller than a hash table (64 bytes against ~170 for one entry, times
/// every cached pod and VM). Cached objects are read-only; a write throws.
/// </summary>
internal sealed class CompactMap(KeyValuePair<string, string>[] entries) : IDictionary<string, string>, IReadOnlyDictionary<string, string>
{
    public int Count => entries.Length;

    public bool IsReadOnly => true;

    public ICollection<string> Keys => [.. entries.Select(e => e.Key)];

    public ICollection<string> Values => [.. entries.Select(e => e.Value)];

    IEnumerable<string> IReadOnlyDictionary<string, string>.Keys => Keys;

    IEnumerable<string> IReadOnlyDictionary<string, string>.Values => Values;

    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        set => throw ReadOnly();
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var entry in entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool Contains(KeyValuePair<string, string> item) =>
        TryGetValue(item.Key, out var value) && string.Equals(value, item.Value, StringComparison.Ordinal);

    public void CopyTo(KeyValuePair<string, string>[] array, int arrayIndex) => entries.CopyTo(array, arrayIndex);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Add(string key, string value) => throw ReadOnly();

    public void Add(KeyValuePair<string, string> item) => throw ReadOnly();

    public bool Remove(string key) => throw ReadOnly();

    public bool Remove(KeyValuePair<string, string> item) => throw ReadOnly();

    public void Clear() => throw ReadOnly();

    private static NotSupportedException ReadOnly() => new("a cached object is read-only: copy it before changing it");
}
