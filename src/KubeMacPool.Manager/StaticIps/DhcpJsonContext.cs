using System.Text.Json;
using System.Text.Json.Serialization;

namespace KubeMacPool.Manager.StaticIps;

[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class DhcpJsonContext : JsonSerializerContext;
