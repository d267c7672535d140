using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using F = KubeMacPool.Core.Networks.NetworkSelectionFields;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// Reads and writes the Multus <c>k8s.v1.cni.cncf.io/networks</c> annotation. Parsing accepts and refuses what
/// upstream (Go's encoding/json into Multus' struct) does, with upstream's error prefixes; it never throws.
/// </summary>
public static class NetworkSelectionAnnotation
{
    private const string Prefix = "parsePodNetworkAnnotation: ";

    internal const string EmptyError = Prefix + "pod annotation not having \"network\" as key, refer Multus README.md for the usage guide";

    internal const string JsonErrorPrefix = Prefix + "failed to parse pod Network Attachment Selection Annotation JSON format: ";

    // Not an HTML context: keep the user's non-ASCII text and '<', '>', '&' readable instead of \uXXXX.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int MaxKeptBuffer = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    /// <summary>
    /// Classifies and parses the annotation value (null when the pod has none). Elements without a namespace
    /// resolve to <paramref name="podNamespace"/>.
    /// </summary>
    public static NetworkAnnotation Parse(string? value, string podNamespace)
    {
        if (value is null)
        {
            return NetworkAnnotation.Absent;
        }

        if (value.Length == 0)
        {
            return NetworkAnnotation.Invalid(EmptyError);
        }

        // Upstream's test for the short form; upstream logs "Only JSON List Format for networks is allowed to be parsed".
        if (value.AsSpan().IndexOfAny('[', '{', '"') < 0)
        {
            return NetworkAnnotation.CommaForm;
        }

        if (!GoJsonReader.TryParse(value, out var root, out var syntaxError))
        {
            return NetworkAnnotation.Invalid(JsonErrorPrefix + syntaxError);
        }

        if (root is not JsonArray array)
        {
            return NetworkAnnotation.Invalid(JsonErrorPrefix + $"the annotation must be a list of network selection objects, not {F.Describe(root)}");
        }

        var elements = new List<NetworkSelectionElement>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            // Go would decode null into a nil element, on which upstream then crashes: refuse it instead.
            if (array[i] is not JsonObject element)
            {
                return NetworkAnnotation.Invalid(JsonErrorPrefix + $"element {i} must be an object, not {F.Describe(array[i])}");
            }

            if (F.Validate(element) is { } problem)
            {
                return NetworkAnnotation.Invalid(JsonErrorPrefix + $"element {i}: {problem}");
            }

            array[i] = null; // detach, so the element's object can stand alone
            elements.Add(new NetworkSelectionElement(element, podNamespace));
        }

        return NetworkAnnotation.Of(NetworkAnnotationForm.JsonList, elements);
    }

    /// <summary>
    /// Parses the short form <c>net</c>, <c>ns/net</c>, <c>net@if</c>, <c>ns/net@if</c> (comma separated) as Multus
    /// does, for the webhook that rewrites it as JSON: the result is <see cref="NetworkAnnotationForm.CommaForm"/> with
    /// the elements, or <see cref="NetworkAnnotationForm.Invalid"/>. Names must be DNS-1123 labels; an empty name is
    /// refused (Multus would fail later looking up a network named "").
    /// </summary>
    public static NetworkAnnotation ParseCommaForm(string value, string podNamespace)
    {
        var elements = new List<NetworkSelectionElement>();
        foreach (var rawItem in value.Split(','))
        {
            var item = rawItem.Trim();
            var slash = item.Split('/');
            if (slash.Length > 2)
            {
                return CommaError("Invalid network object (failed at '/')");
            }

            var ns = slash.Length == 2 ? slash[0].Trim() : "";
            var at = slash[^1].Split('@');
            if (at.Length > 2)
            {
                return CommaError("Invalid network object (failed at '@')");
            }

            var name = at[0].Trim();
            var iface = at.Length == 2 ? at[1].Trim() : "";
            if (name.Length == 0)
            {
                return CommaError($"network name is empty in \"{item}\"");
            }

            if (new[] { ns, name, iface }.FirstOrDefault(part => part.Length > 0 && !IsDns1123Label(part)) is { } bad)
            {
                return CommaError($"Failed to match {bad} with spec");
            }

            elements.Add(NetworkSelectionElement.FromShortForm(name, ns.Length > 0 ? ns : null, iface.Length > 0 ? iface : null, podNamespace));
        }

        return NetworkAnnotation.Of(NetworkAnnotationForm.CommaForm, elements);
    }

    /// <summary>
    /// Writes the elements as a compact JSON list. Each element keeps the user's fields in the user's order;
    /// an element without a namespace gets the pod's right after <c>name</c>. Unlike upstream, nothing else is
    /// added (no <c>"cni-args":null</c>, which means the same as no cni-args to Multus).
    /// </summary>
    public static string Serialize(IReadOnlyList<NetworkSelectionElement> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);

        // One buffer and writer per thread, reset per call: every pod admission writes its annotation back.
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        var writer = _writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartArray();
        for (var i = 0; i < elements.Count; i++)
        {
            WriteElement(writer, elements[i]);
        }

        writer.WriteEndArray();
        writer.Flush();
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > MaxKeptBuffer)
        {
            _buffer = null; // a rare huge annotation does not pin its buffer to the thread
            _writer = null;
        }

        return json;
    }

    private static void WriteElement(Utf8JsonWriter writer, NetworkSelectionElement element)
    {
        var json = element.Json;
        // An existing "namespace": null / "" is filled in place; otherwise the key goes after the first "name"
        // (or first of all when there is no name).
        var fillAt = element.NamespaceIsImplicit ? json.IndexOf(F.Namespace) : -1;
        int? insertAfter = element.NamespaceIsImplicit && fillAt < 0 ? IndexOfFirst(json, F.Name) : null;
        writer.WriteStartObject();
        if (insertAfter == -1)
        {
            writer.WriteString(F.Namespace, element.Namespace);
        }

        for (var i = 0; i < json.Count; i++)
        {
            var (key, value) = json.GetAt(i);
            writer.WritePropertyName(key);
            if (i == fillAt)
            {
                writer.WriteStringValue(element.Namespace);
            }
            else if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }

            if (i == insertAfter)
            {
                writer.WriteString(F.Namespace, element.Namespace);
            }
        }

        writer.WriteEndObject();
    }

    private static int IndexOfFirst(JsonObject json, string field)
    {
        for (var i = 0; i < json.Count; i++)
        {
            if (GoJsonRules.KeyMatches(json.GetAt(i).Key, field))
            {
                return i;
            }
        }

        return -1;
    }

    // [a-z0-9]([-a-z0-9]*[a-z0-9])?, Multus' check for each part of the short form.
    private static bool IsDns1123Label(string part) =>
        part.All(c => char.IsAsciiDigit(c) || c is (>= 'a' and <= 'z') or '-') && part[0] != '-' && part[^1] != '-';

    private static NetworkAnnotation CommaError(string detail) =>
        NetworkAnnotation.Invalid(Prefix + "parsePodNetworkObjectName: " + detail);
}
