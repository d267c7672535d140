using System.Collections.Concurrent;
using System.Globalization;

namespace KubeMacPool.Core.Networks;

/// <summary>RFC 6901 JSON Pointers for the webhook's targeted patch operations.</summary>
public static class JsonPointer
{
    public const string Annotations = "/metadata/annotations";

    public const string Interfaces = "/spec/template/spec/domain/devices/interfaces";

    /// <summary>"~" becomes "~0" and "/" becomes "~1" (in that order, so "~1" in a key stays itself).</summary>
    public static string Escape(string segment) =>
        segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    // Every admission patches one of a few well-known annotations and the first interfaces' MACs: their pointers are
    // made once, not twice per review (bounded, so arbitrary keys cannot grow the cache).
    private const int CachedAnnotationKeys = 32;
    private static readonly ConcurrentDictionary<string, string> AnnotationPointers = new(StringComparer.Ordinal);
    private static readonly string[] InterfaceMacPointers = [.. Enumerable.Range(0, 16).Select(FormatInterfaceMacAddress)];

    /// <summary>One annotation, e.g. <c>/metadata/annotations/kubemacpool.io~1transaction-timestamp</c>.</summary>
    public static string Annotation(string key)
    {
        if (AnnotationPointers.TryGetValue(key, out var pointer))
        {
            return pointer;
        }

        pointer = Annotations + "/" + Escape(key);
        if (AnnotationPointers.Count < CachedAnnotationKeys)
        {
            AnnotationPointers.TryAdd(key, pointer);
        }

        return pointer;
    }

    /// <summary>The MAC of the VM interface at <paramref name="index"/>.</summary>
    public static string InterfaceMacAddress(int index) =>
        (uint)index < (uint)InterfaceMacPointers.Length ? InterfaceMacPointers[index] : FormatInterfaceMacAddress(index);

    private static string FormatInterfaceMacAddress(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{Interfaces}/{index}/macAddress");
}
