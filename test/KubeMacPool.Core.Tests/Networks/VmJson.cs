using System.Text.Json.Nodes;

namespace KubeMacPool.Core.Tests.Networks;

/// <summary>Builds VirtualMachine JSON for tests from the interfaces and networks lists.</summary>
internal static class VmJson
{
    public static JsonObject Vm(string interfaces, string networks = "[]") =>
        JsonNode.Parse("{\"metadata\":{\"name\":\"vm1\",\"namespace\":\"ns1\"},\"spec\":{\"template\":{\"spec\":{\"domain\":{\"devices\":{\"interfaces\":"
            + interfaces + "},\"cpu\":{\"cores\":1}},\"networks\":" + networks + "}}}}")!.AsObject();
}
