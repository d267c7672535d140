using System.Text.Json;
using System.Text.Json.Nodes;
using F = KubeMacPool.Core.Networks.NetworkSelectionFields;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// One element of the Multus networks annotation, backed by the user's JSON object so that every field survives
/// a rewrite, unknown and future ones included (upstream drops them). Fields are read as Multus (Go) reads them:
/// keys match case-insensitively, and a null string field counts as absent.
/// </summary>
public sealed class NetworkSelectionElement
{
    private readonly string _podNamespace;

    internal NetworkSelectionElement(JsonObject json, string podNamespace)
    {
        Json = json;
        _podNamespace = podNamespace;
    }

    /// <summary>The user's object. Only the setters below change it; <c>namespace</c> is added when serialising.</summary>
    internal JsonObject Json { get; }

    /// <summary>The network (NetworkAttachmentDefinition) name; empty when absent.</summary>
    public string Name => GetString(F.Name) ?? "";

    /// <summary>The namespace Multus uses: the element's own, else the pod's.</summary>
    public string Namespace => GetString(F.Namespace) ?? _podNamespace;

    /// <summary>True when the element names no namespace of its own (serialising adds the pod's).</summary>
    public bool NamespaceIsImplicit => GetString(F.Namespace) is null;

    /// <summary>The requested interface name inside the pod (<c>interface</c>), if any.</summary>
    public string? Interface => GetString(F.Interface);

    /// <summary>The requested MAC, verbatim; null when absent or empty (both mean "allocate").</summary>
    public string? Mac
    {
        get => GetString(F.Mac);
        set => SetString(F.Mac, value, AddedMacIndex);
    }

    public IReadOnlyList<string> Ips =>
        EffectiveValue(F.Ips) is JsonArray ips ? ips.Select(ip => ip is null ? "" : ip.GetValue<string>()).ToList() : [];

    /// <summary>The IPAMClaim the pod's interface uses (set by the launcher-pod webhook).</summary>
    public string? IpamClaimReference
    {
        get => GetString(F.IpamClaimReference);
        set => SetString(F.IpamClaimReference, value, () => Json.Count);
    }

    /// <summary>The key of this element's MAC in the pool: the network name, as upstream.</summary>
    public string InterfaceKey => Name;

    /// <summary>Builds an element of the comma short form: only the parts the user wrote.</summary>
    internal static NetworkSelectionElement FromShortForm(string name, string? @namespace, string? interfaceName, string podNamespace)
    {
        var json = new JsonObject { [F.Name] = name };
        if (@namespace is not null)
        {
            json[F.Namespace] = @namespace;
        }

        if (interfaceName is not null)
        {
            json[F.Interface] = interfaceName;
        }

        return new NetworkSelectionElement(json, podNamespace);
    }

    /// <summary>
    /// The value Go ends up with for a field: the last key that matches it wins, and a null does not clear a
    /// string (Go leaves a string field alone on null) but does clear a list.
    /// </summary>
    private JsonNode? EffectiveValue(string field)
    {
        // Indexed: a foreach over a JsonObject boxes an enumerator, and a pod admission reads several fields.
        JsonNode? value = null;
        for (var i = 0; i < Json.Count; i++)
        {
            var (key, node) = Json.GetAt(i);
            if (GoJsonRules.KeyMatches(key, field) && (node is not null || field == F.Ips))
            {
                value = node;
            }
        }

        return value;
    }

    private string? GetString(string field) =>
        EffectiveValue(field) is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text
            ? text
            : null;

    // Other spellings of the key ("MAC") are removed: Go would read whichever comes last, possibly not ours.
    private void SetString(string field, string? value, Func<int> indexForNewKey)
    {
        for (var i = Json.Count - 1; i >= 0; i--)
        {
            var key = Json.GetAt(i).Key;
            if (key != field && GoJsonRules.KeyMatches(key, field))
            {
                Json.RemoveAt(i);
            }
        }

        if (string.IsNullOrEmpty(value))
        {
            Json.Remove(field);
        }
        else if (Json.IndexOf(field) is var at and >= 0)
        {
            Json.SetAt(at, value);
        }
        else
        {
            Json.Insert(indexForNewKey(), field, value);
        }
    }

    // An added "mac" goes right after name / namespace / ips, whichever comes last: where Multus' order puts it.
    private int AddedMacIndex()
    {
        var after = -1;
        for (var i = 0; i < Json.Count; i++)
        {
            var key = Json.GetAt(i).Key;
            if (GoJsonRules.KeyMatches(key, F.Name) || GoJsonRules.KeyMatches(key, F.Namespace) || GoJsonRules.KeyMatches(key, F.Ips))
            {
                after = i;
            }
        }

        return after + 1;
    }
}
