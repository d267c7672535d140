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

    /// <summary>One annotation, e.g. <c>/metadata/annotations/kubemacpool.io~1transaction-timestamp</c>.</summary>
    public static string Annotation(string key) => Annotations + "/" + Escape(key);

    /// <summary>The MAC of the VM interface at <paramref name="index"/>.</summary>
    public static string InterfaceMacAddress(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{Interfaces}/{index}/macAddress");
}
