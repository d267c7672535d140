using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

public enum NetworkAnnotationForm
{
    /// <summary>The pod has no networks annotation.</summary>
    Absent,

    /// <summary>"net1,ns/net2@eth1": the short form, left alone by the MAC webhook.</summary>
    CommaForm,

    /// <summary>A JSON list of network selection elements.</summary>
    JsonList,

    /// <summary>Something Multus would refuse too; the pod is denied with <see cref="NetworkAnnotation.Error"/>.</summary>
    Invalid,
}

/// <summary>The parsed networks annotation.</summary>
public sealed record NetworkAnnotation(NetworkAnnotationForm Form, IReadOnlyList<NetworkSelectionElement> Elements, string? Error);

/// <summary>Reads and writes the Multus <c>k8s.v1.cni.cncf.io/networks</c> annotation (JSON list or comma form).</summary>
public static class NetworkSelectionAnnotation
{
    private const string ErrorPrefix = "parsePodNetworkAnnotation: ";

    // Field types as Multus' NetworkSelectionElement declares them; a wrong type is an unmarshal error there.
    private static readonly Dictionary<string, JsonValueKind> FieldKinds = new(StringComparer.Ordinal)
    {
        ["name"] = JsonValueKind.String,
        ["namespace"] = JsonValueKind.String,
        ["ips"] = JsonValueKind.Array,
        ["mac"] = JsonValueKind.String,
        ["infiniband-guid"] = JsonValueKind.String,
        ["interface"] = JsonValueKind.String,
        ["portMappings"] = JsonValueKind.Array,
        ["bandwidth"] = JsonValueKind.Object,
        ["deviceID"] = JsonValueKind.String,
        ["cni-args"] = JsonValueKind.Object,
        ["default-route"] = JsonValueKind.Array,
        ["ipam-claim-reference"] = JsonValueKind.String,
    };

    /// <summary>
    /// Parses the annotation. Elements without a namespace get <paramref name="podNamespace"/>, as Multus
    /// resolves them. Never throws.
    /// </summary>
    public static NetworkAnnotation Parse(string? value, string podNamespace)
    {
        if (value is null)
        {
            return new NetworkAnnotation(NetworkAnnotationForm.Absent, [], null);
        }

        if (value.Length == 0)
        {
            return Invalid("pod annotation not having \"network\" as key, refer Multus README.md for the usage guide");
        }

        if (value.IndexOfAny(['[', '{', '"']) < 0)
        {
            return new NetworkAnnotation(NetworkAnnotationForm.CommaForm, ParseCommaForm(value, podNamespace), null);
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(value, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            return JsonError("invalid JSON: " + e.Message);
        }

        if (root is not JsonArray array)
        {
            return JsonError("expected a JSON list of network selection elements");
        }

        var elements = new List<NetworkSelectionElement>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject element)
            {
                return JsonError($"element {i} is not a JSON object");
            }

            foreach (var (field, node) in element)
            {
                if (FieldKinds.TryGetValue(field, out var kind) && node is not null && node.GetValueKind() != kind)
                {
                    return JsonError($"element {i}: field \"{field}\" must be a JSON {kind.ToString().ToLowerInvariant()}");
                }
            }

            if (element["ips"] is JsonArray ips && ips.Any(ip => ip?.GetValueKind() != JsonValueKind.String))
            {
                return JsonError($"element {i}: field \"ips\" must be a list of strings");
            }

            var copy = (JsonObject)element.DeepClone();
            elements.Add(new NetworkSelectionElement(WithNamespace(copy, podNamespace)));
        }

        return new NetworkAnnotation(NetworkAnnotationForm.JsonList, elements, null);
    }

    /// <summary>
    /// Parses the comma short form: <c>net</c>, <c>ns/net</c>, <c>net@if</c>, <c>ns/net@if</c>, separated by commas.
    /// </summary>
    public static IReadOnlyList<NetworkSelectionElement> ParseCommaForm(string value, string podNamespace) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item =>
            {
                var (network, iface) = item.IndexOf('@', StringComparison.Ordinal) is var at and >= 0
                    ? (item[..at], item[(at + 1)..])
                    : (item, (string?)null);
                var (ns, name) = network.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0
                    ? (network[..slash], network[(slash + 1)..])
                    : (podNamespace, network);
                return NetworkSelectionElement.Create(name, ns, iface);
            })
            .ToList();

    /// <summary>Writes the elements back as compact JSON, each with the user's fields in the user's order.</summary>
    public static string Serialize(IEnumerable<NetworkSelectionElement> elements) =>
        new JsonArray(elements.Select(e => (JsonNode)e.Json.DeepClone()).ToArray()).ToJsonString();

    // "name", then "namespace" (added when missing), then the rest in the user's order.
    private static JsonObject WithNamespace(JsonObject element, string podNamespace)
    {
        if (element.ContainsKey("namespace") && element["namespace"] is not null)
        {
            return element;
        }

        var ordered = new JsonObject();
        var fields = element.ToList();
        element.Clear();
        foreach (var (field, node) in fields.Where(f => f.Key == "name"))
        {
            ordered[field] = node;
        }

        ordered["namespace"] = podNamespace;
        foreach (var (field, node) in fields.Where(f => f.Key is not "name" and not "namespace"))
        {
            ordered[field] = node;
        }

        return ordered;
    }

    private static NetworkAnnotation Invalid(string error) => new(NetworkAnnotationForm.Invalid, [], ErrorPrefix + error);

    private static NetworkAnnotation JsonError(string detail) =>
        Invalid("failed to parse pod Network Attachment Selection Annotation JSON format: " + detail);
}
