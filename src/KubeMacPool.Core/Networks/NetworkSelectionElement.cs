using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Networks;

/// <summary>
/// One element of the Multus networks annotation. Backed by the user's JSON object, so fields this service does
/// not know (and future Multus fields) survive a rewrite (upstream drops them).
/// </summary>
public sealed class NetworkSelectionElement
{
    internal NetworkSelectionElement(JsonObject json) => Json = json;

    public JsonObject Json { get; }

    public string Name => Json["name"]?.GetValue<string>() ?? "";

    public string? Namespace => Json["namespace"]?.GetValue<string>();

    public string? Mac
    {
        get => Json["mac"]?.GetValue<string>();
        set => Json["mac"] = value;
    }

    public string? InterfaceRequest => Json["interface"]?.GetValue<string>();

    public string? IpamClaimReference
    {
        get => Json["ipam-claim-reference"]?.GetValue<string>();
        set => Json["ipam-claim-reference"] = value;
    }

    public IReadOnlyList<string> Ips =>
        Json["ips"] is JsonArray ips ? ips.Select(i => i!.GetValue<string>()).ToList() : [];

    /// <summary>The key the pool uses for this element: the network name (as upstream).</summary>
    public string InterfaceKey => Name;

    /// <summary>Builds an element of the comma short form ("net", "ns/net", "net@if").</summary>
    public static NetworkSelectionElement Create(string name, string? @namespace, string? interfaceRequest)
    {
        var json = new JsonObject { ["name"] = name };
        if (@namespace is not null)
        {
            json["namespace"] = @namespace;
        }

        if (interfaceRequest is not null)
        {
            json["interface"] = interfaceRequest;
        }

        return new NetworkSelectionElement(json);
    }
}
