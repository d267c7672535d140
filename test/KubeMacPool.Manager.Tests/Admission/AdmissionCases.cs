using System.Text.Json;
using System.Text.Json.Nodes;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Admission;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Manager.Tests.Admission;

/// <summary>What the webhook decision tables share: a small pool, a fixed clock, requests, and the patch as data.</summary>
internal static class AdmissionCases
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Now);

    /// <summary>Sixteen addresses, 02:00:00:00:00:00 to :0f; the allocator starts at the first, so results are predictable.</summary>
    public static MacPool NewPool(string end = "02:00:00:00:00:0f") =>
        new(MacRange.TryParse("02:00:00:00:00:00", end, out var range, out var error) ? range : throw new InvalidOperationException(error),
            DuplicatePolicy.Reject,
            _ => 0);

    public static AdmissionRequest Create(JsonObject obj, bool dryRun = false) => new()
    {
        Uid = "req-1",
        Operation = "CREATE",
        Namespace = "ns",
        Object = Element(obj),
        IsDryRun = dryRun,
    };

    public static AdmissionRequest Update(JsonObject old, JsonObject obj) => new()
    {
        Uid = "req-2",
        Operation = "UPDATE",
        Namespace = "ns",
        Object = Element(obj),
        OldObject = Element(old),
    };

    /// <summary>The object as the endpoint hands it to a webhook: an element of a parsed review.</summary>
    public static JsonElement Element(JsonNode obj) => JsonDocument.Parse(obj.ToJsonString()).RootElement;

    /// <summary>The patch parsed back into (op, path, value), or empty when there is none.</summary>
    public static List<(string Op, string Path, JsonNode? Value)> Ops(AdmissionResult result) =>
        result.Patch is null
            ? []
            : JsonNode.Parse(result.Patch.ToString())!.AsArray()
                .Select(o => (o!["op"]!.GetValue<string>(), o["path"]!.GetValue<string>(), o["value"]?.DeepClone()))
                .ToList();

    public static MacAddress Mac(string text) => MacAddress.Parse(text);

    /// <summary>The owner's entries as "interface=mac", sorted, with "(pending)" when not yet committed.</summary>
    public static string[] Entries(MacPool pool, MacOwner owner) =>
        [.. pool.EntriesOf(owner).Select(e => $"{e.InterfaceKey}={e.Mac}{(e.PendingSince is null ? "" : " (pending)")}").Order(StringComparer.Ordinal)];
}
