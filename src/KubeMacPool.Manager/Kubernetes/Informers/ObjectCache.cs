using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers.Packing;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// The read side of an informer: the latest version of every object, by key (<c>namespace/name</c>, or <c>name</c> for
/// cluster-scoped kinds), by namespace, and by any index a consumer adds. Written only by its informer (one writer);
/// read by anyone, at any time, without locks on the read path for single objects. With a packer (pods and VMs) it
/// holds each object as bytes and every read returns a fresh object: read what you need, do not keep it.
/// </summary>
internal sealed class ObjectCache<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    public const string NamespaceIndex = "namespace";

    // Keyed by the object's own namespace and name strings: a "namespace/name" string per cached object would cost
    // ~70 bytes each at 100,000 objects. Lookups by such a string go through the alternate (span) comparer.
    // The value is the object itself, or its bytes when the cache has a packer.
    private readonly ConcurrentDictionary<ObjectKey, object> _items = new(ObjectKey.Comparer);
    private readonly ConcurrentDictionary<ObjectKey, object>.AlternateLookup<ReadOnlySpan<char>> _itemsByText;
    private readonly IObjectPacker<T>? _packer;
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, (Func<T, IEnumerable<string>> Keys, Dictionary<string, HashSet<ObjectKey>> Map)> _indexes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <param name="packer">How to hold the objects as bytes; null holds them as they are.</param>
    public ObjectCache(IObjectPacker<T>? packer = null)
    {
        _packer = packer;
        _itemsByText = _items.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _items.Count;

    public static string KeyOf(T item) => KeyOf(item.Metadata.NamespaceProperty, item.Metadata.Name);

    public static string KeyOf(string? @namespace, string name) =>
        string.IsNullOrEmpty(@namespace) ? name : @namespace + "/" + name;

    /// <summary>
    /// Adds an index, at any time: every object, already cached or stored later, is filed under each value
    /// <paramref name="keys"/> gives for it.
    /// </summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> keys)
    {
        var map = new Dictionary<string, HashSet<ObjectKey>>(StringComparer.Ordinal);
        lock (_indexLock)
        {
            _indexes[name] = (keys, map);
            foreach (var (key, stored) in _items)
            {
                File(map, key, keys(Open(key, stored)));
            }
        }
    }

    public T? Get(string key) => _itemsByText.TryGetValue(key, out var found, out var stored) ? Open(found, stored) : default;

    public T? Get(string? @namespace, string name)
    {
        var key = new ObjectKey(@namespace, name);
        return _items.TryGetValue(key, out var stored) ? Open(key, stored) : default;
    }

    /// <summary>Whether the object is cached: for readers that need no field of it (nothing is opened).</summary>
    public bool Contains(string? @namespace, string name) => _items.ContainsKey(new ObjectKey(@namespace, name));

    /// <summary>
    /// Every object. A packed cache opens each one only when the list is read at its index (a fresh object per read),
    /// so a subscriber that walks 100,000 VMs once never holds them all at the same time.
    /// </summary>
    public IReadOnlyList<T> List() => _packer is null ? [.. _items.Values.Cast<T>()] : new OpenedOnRead(this, [.. _items]);

    public IReadOnlyCollection<string> Keys() => [.. _items.Keys.Select(k => k.ToString())];

    /// <summary>The objects of a namespace; the index is built on first use (most kinds are never asked this).</summary>
    public IReadOnlyList<T> InNamespace(string @namespace)
    {
        bool indexed;
        lock (_indexLock)
        {
            indexed = _indexes.ContainsKey(NamespaceIndex);
        }

        if (!indexed)
        {
            AddIndex(NamespaceIndex, o => o.Metadata.NamespaceProperty is { } ns ? [ns] : []);
        }

        return ByIndex(NamespaceIndex, @namespace);
    }

    public IReadOnlyList<T> ByIndex(string index, string value)
    {
        ObjectKey[] keys;
        lock (_indexLock)
        {
            if (!_indexes[index].Map.TryGetValue(value, out var set))
            {
                return [];
            }

            keys = [.. set];
        }

        var result = new List<T>(keys.Length);
        foreach (var key in keys)
        {
            if (_items.TryGetValue(key, out var stored))
            {
                result.Add(Open(key, stored));
            }
        }

        return result;
    }

    /// <summary>
    /// The object, waiting up to <paramref name="timeout"/> for it to arrive through the watch; null when it did not.
    /// For readers that may run just ahead of the watch (an admission for a pod whose VMI was created a moment ago).
    /// </summary>
    public async Task<T?> WaitForAsync(string key, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Get(key) is { } present)
        {
            return present;
        }

        var waiter = _waiters.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Get(key) is { } arrived)
        {
            return arrived;
        }

        try
        {
            await waiter.Task.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Nobody may ever add this key: drop the waiter rather than keep it forever (a waiter that shares it
            // still returns at its own timeout, with whatever the cache holds then).
            _waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource>(key, waiter));
        }

        return Get(key);
    }

    internal void Upsert(T item)
    {
        var key = ObjectKey.Of(item);
        _items.TryGetValue(key, out var previous);
        _items[key] = _packer is null ? item : _packer.Pack(item);
        Reindex(key, previous, item);
        if (!_waiters.IsEmpty && _waiters.TryRemove(key.ToString(), out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    internal void Remove(T item)
    {
        var key = ObjectKey.Of(item);
        if (_items.TryRemove(key, out var previous))
        {
            Reindex(key, previous, default);
        }
    }

    /// <summary>After a (re)list: the list is the whole truth, objects not in it are gone (and returned).</summary>
    internal List<T> Replace(IReadOnlyList<T> items)
    {
        var removed = new List<T>();
        var present = new HashSet<ObjectKey>(ObjectKey.Comparer);
        foreach (var item in items)
        {
            present.Add(ObjectKey.Of(item));
            Upsert(item);
        }

        foreach (var (key, stored) in _items)
        {
            if (!present.Contains(key))
            {
                var item = Open(key, stored);
                Remove(item);
                removed.Add(item);
            }
        }

        return removed;
    }

    private sealed class OpenedOnRead(ObjectCache<T> cache, KeyValuePair<ObjectKey, object>[] entries) : IReadOnlyList<T>
    {
        public int Count => entries.Length;

        public T this[int index] => cache.Open(entries[index].Key, entries[index].Value);

        public IEnumerator<T> GetEnumerator()
        {
            foreach (var (key, stored) in entries)
            {
                yield return cache.Open(key, stored);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private T Open(ObjectKey key, object stored) => _packer is null ? (T)stored : _packer.Unpack(key, (byte[])stored);

    /// <param name="key">The object's key.</param>
    /// <param name="previous">What the cache held under the key (opened only when an index needs it).</param>
    /// <param name="current">What it holds now.</param>
    private void Reindex(ObjectKey key, object? previous, T? current)
    {
        lock (_indexLock)
        {
            var opened = previous is null || _indexes.Count == 0 ? default : Open(key, previous);
            foreach (var (keys, map) in _indexes.Values)
            {
                if (opened is not null)
                {
                    foreach (var value in keys(opened))
                    {
                        if (map.TryGetValue(value, out var set) && set.Remove(key) && set.Count == 0)
                        {
                            map.Remove(value);
                        }
                    }
                }

                if (current is not null)
                {
                    File(map, key, keys(current));
                }
            }
        }
    }

    private static void File(Dictionary<string, HashSet<ObjectKey>> map, ObjectKey key, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            if (!map.TryGetValue(value, out var set))
            {
                map[value] = set = new HashSet<ObjectKey>(ObjectKey.Comparer);
            }

            set.Add(key);
        }
    }
}
