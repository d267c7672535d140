using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// The fields of Multus' NetworkSelectionElement and the JSON types Go accepts for them. An element that would
/// not decode into that struct is refused (as upstream and Multus refuse it); unknown fields are not checked.
/// </summary>
internal static class NetworkSelectionFields
{
    public const string Name = "name";
    public const string Namespace = "namespace";
    public const string Ips = "ips";
    public const string Mac = "mac";
    public const string Interface = "interface";
    public const string IpamClaimReference = "ipam-claim-reference";

    private enum FieldType
    {
        String,
        StringList,
        IpList,
        PortMappings,
        Bandwidth,
        AnyObject,
    }

    // In Multus' struct order (upstream's output order; ours keeps the user's order instead).
    private static readonly (string Field, FieldType Type)[] Fields =
    [
        (Name, FieldType.String),
        (Namespace, FieldType.String),
        (Ips, FieldType.StringList),
        (Mac, FieldType.String),
        ("infiniband-guid", FieldType.String),
        (Interface, FieldType.String),
        ("interfaceRequest", FieldType.String),
        ("portMappings", FieldType.PortMappings),
        ("bandwidth", FieldType.Bandwidth),
        ("deviceID", FieldType.String),
        ("cni-args", FieldType.AnyObject),
        ("default-route", FieldType.IpList),
        (IpamClaimReference, FieldType.String),
    ];

    private static readonly string[] PortMappingInts = ["hostPort", "containerPort"];
    private static readonly string[] PortMappingStrings = ["protocol", "hostIP"];
    private static readonly string[] BandwidthInts = ["ingressRate", "ingressBurst", "egressRate", "egressBurst"];

    /// <summary>Null when the element decodes as Multus' struct would; otherwise what is wrong, as a sentence.</summary>
    public static string? Validate(JsonObject element)
    {
        // Indexed: a foreach over a JsonObject boxes an enumerator, and every pod admission validates its elements.
        for (var i = 0; i < element.Count; i++)
        {
            var (key, value) = element.GetAt(i);
            foreach (var (field, type) in Fields)
            {
                if (value is not null && GoJsonRules.KeyMatches(key, field) && Check(type, value, key) is { } problem)
                {
                    return problem;
                }
            }
        }

        return null;
    }

    // JSON null is every Go field's zero value, so it is accepted everywhere (as Go does); Validate skips it. A string
    // field holding a string, the usual element, is settled without formatting where the field is.
    private static string? Check(FieldType type, JsonNode value, string key) =>
        type == FieldType.String && value.GetValueKind() == JsonValueKind.String ? null : Problem(type, value, $"\"{key}\"");

    private static string? Problem(FieldType type, JsonNode value, string where) => type switch
    {
        FieldType.String => Expect(value, JsonValueKind.String, where, "a string"),
        FieldType.StringList => Items(value, where, "a list of strings", (item, at) => item is null ? null : Expect(item, JsonValueKind.String, at, "a string")),
        FieldType.IpList => Items(value, where, "a list of IP addresses", IpItem),
        FieldType.PortMappings => Items(value, where, "a list of port mappings", (item, at) => item is null ? null : Members(item, at, "a port mapping object", PortMappingInts, PortMappingStrings)),
        FieldType.Bandwidth => Members(value, where, "a bandwidth object", BandwidthInts, []),
        _ => Expect(value, JsonValueKind.Object, where, "an object") ?? FiniteNumbers(value, where),
    };

    private static string? Items(JsonNode value, string where, string expected, Func<JsonNode?, string, string?> check)
    {
        if (value is not JsonArray items)
        {
            return $"{where} must be {expected}, not {Describe(value)}";
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (check(items[i], $"{where}[{i}]") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? IpItem(JsonNode? item, string where) =>
        item is null ? null
        : Expect(item, JsonValueKind.String, where, "an IP address")
          ?? (GoJsonRules.IsIp(item.GetValue<string>()) ? null : $"{where} must be an IP address, not \"{item.GetValue<string>()}\"");

    private static string? Members(JsonNode value, string where, string expected, string[] ints, string[] strings)
    {
        if (value is not JsonObject members)
        {
            return $"{where} must be {expected}, not {Describe(value)}";
        }

        foreach (var (key, member) in members)
        {
            if (member is null)
            {
                continue;
            }

            if (ints.Any(f => GoJsonRules.KeyMatches(key, f)) && !GoJsonRules.IsInt(member))
            {
                return $"{where}.{key} must be an integer, not {Describe(member)}";
            }

            if (strings.Any(f => GoJsonRules.KeyMatches(key, f)) && Expect(member, JsonValueKind.String, $"{where}.{key}", "a string") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    // Go decodes cni-args into map[string]interface{}: numbers become float64 and overflow is an error.
    private static string? FiniteNumbers(JsonNode? value, string where) => value switch
    {
        JsonObject obj => obj.Select(p => FiniteNumbers(p.Value, where)).FirstOrDefault(p => p is not null),
        JsonArray array => array.Select(v => FiniteNumbers(v, where)).FirstOrDefault(p => p is not null),
        JsonValue number when number.GetValueKind() == JsonValueKind.Number && !GoJsonRules.IsFiniteNumber(number) =>
            $"{where} holds a number too large for a float64: {number.ToJsonString()}",
        _ => null,
    };

    private static string? Expect(JsonNode value, JsonValueKind kind, string where, string expected) =>
        value.GetValueKind() == kind ? null : $"{where} must be {expected}, not {Describe(value)}";

    internal static string Describe(JsonNode? value) => Describe(GoJsonRules.KindOf(value));

    internal static string Describe(JsonValueKind kind) => JsonNav.Describe(kind);
}
