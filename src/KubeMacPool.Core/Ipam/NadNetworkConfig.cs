using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Core.Ipam;

/// <summary>
/// The four top-level keys of a NetworkAttachmentDefinition's <c>spec.config</c> that persistent IPs depend on (as
/// ipam-extensions reads them): the CNI network <c>name</c> (what an IPAMClaim's <c>spec.network</c> names),
/// <c>allowPersistentIPs</c>, <c>role</c> (<c>primary</c> marks a primary user-defined network) and <c>subnets</c>
/// (comma-separated CIDRs). Keys inside <c>ipam</c> or a conflist's <c>plugins</c> are not looked at, as upstream.
/// </summary>
public sealed record NadNetworkConfig(string Name, bool AllowPersistentIps, string Role, string Subnets)
{
    public const string PrimaryRole = "primary";

    public static readonly NadNetworkConfig Empty = new("", false, "", "");

    /// <summary>A primary user-defined network: it replaces the pod network of the namespace's pods.</summary>
    public bool IsPrimary => Role == PrimaryRole;

    /// <summary>The subnets as trimmed, non-empty entries.</summary>
    public IReadOnlyList<string> SubnetList =>
        Subnets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Reads <paramref name="config"/> as Go's encoding/json reads it into upstream's struct: keys match
    /// case-insensitively, unknown keys are ignored, null leaves a field at its zero value, and a wrong type is an error.
    /// An empty config is an empty (non-persistent) network. Never throws.
    /// </summary>
    public static NadConfigResult Parse(string? config)
    {
        if (string.IsNullOrEmpty(config))
        {
            return new NadConfigResult(Empty, null);
        }

        if (!GoJsonReader.TryParse(config, out var root, out var syntaxError))
        {
            return Failed(syntaxError!);
        }

        if (root is null)
        {
            return new NadConfigResult(Empty, null);
        }

        if (root is not JsonObject obj)
        {
            return Failed($"the configuration must be a JSON object, not {Describe(root)}");
        }

        string name = "", role = "", subnets = "";
        var persistent = false;
        foreach (var (key, value) in obj)
        {
            string? problem = null;
            if (GoJsonRules.KeyMatches(key, "name"))
            {
                problem = ReadString(key, value, ref name);
            }
            else if (GoJsonRules.KeyMatches(key, "role"))
            {
                problem = ReadString(key, value, ref role);
            }
            else if (GoJsonRules.KeyMatches(key, "subnets"))
            {
                problem = ReadString(key, value, ref subnets);
            }
            else if (GoJsonRules.KeyMatches(key, "allowPersistentIPs"))
            {
                problem = ReadBool(key, value, ref persistent);
            }

            if (problem is not null)
            {
                return Failed(problem);
            }
        }

        return new NadConfigResult(new NadNetworkConfig(name, persistent, role, subnets), null);
    }

    private static string? ReadString(string key, JsonNode? value, ref string field)
    {
        if (value is null)
        {
            return null;
        }

        if (value.GetValueKind() != JsonValueKind.String)
        {
            return $"\"{key}\" must be a string, not {Describe(value)}";
        }

        field = value.GetValue<string>();
        return null;
    }

    private static string? ReadBool(string key, JsonNode? value, ref bool field)
    {
        if (value is null)
        {
            return null;
        }

        if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return $"\"{key}\" must be a boolean, not {Describe(value)}";
        }

        field = value.GetValue<bool>();
        return null;
    }

    private static string Describe(JsonNode? value) => NetworkSelectionFields.Describe(value);

    private static NadConfigResult Failed(string detail) =>
        new(null, "failed to extract the relevant NAD information: failed to extract CNI configuration: " + detail);
}

/// <summary>The parsed config, or why it could not be read (exactly one of the two is set).</summary>
public sealed record NadConfigResult(NadNetworkConfig? Config, string? Error);
