using System.Text;
using System.Text.Json;
using KubeMacPool.Core.Networks;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// Reads the envelope of an AdmissionReview from its parsed document, with the types the API defines: a field of
/// the wrong type makes the review malformed (a 400), an unknown field is ignored, and names match exactly.
/// </summary>
internal static class AdmissionReview
{
    public const string DefaultApiVersion = "admission.k8s.io/v1";

    // The request's keys, read in one pass; the constants are their positions.
    private const int Uid = 0, KindKey = 1, Name = 2, Namespace = 3, Operation = 4, ObjectKey = 5, OldObject = 6, DryRun = 7;
    private static readonly byte[][] RequestKeys =
        [.. new[] { "uid", "kind", "name", "namespace", "operation", "object", "oldObject", "dryRun" }.Select(Encoding.UTF8.GetBytes)];

    // Values every review repeats, read as these strings rather than a new one per review.
    private static readonly KnownText ApiVersions = new(DefaultApiVersion, "admission.k8s.io/v1beta1");
    private static readonly KnownText Kinds = new("VirtualMachine", "Pod", "IPPool");
    private static readonly KnownText Operations = new("CREATE", "UPDATE", "DELETE", "CONNECT");

    /// <summary>
    /// How a review body is parsed. A duplicate key reads as the API server's own decoder and upstream's read it: the
    /// last one wins (every lookup and one-pass read here finds the last). An API server never sends one (it writes
    /// the review from decoded objects), and checking the whole document for them cost ~0.9 µs of every review.
    /// </summary>
    public static readonly JsonDocumentOptions ParseOptions = new() { AllowDuplicateProperties = true };

    /// <summary>The review's apiVersion and request (null when absent); false with the problem when a field has the wrong type.</summary>
    public static bool TryRead(JsonElement root, out string? apiVersion, out AdmissionRequest? request, out string? problem)
    {
        apiVersion = null;
        request = null;
        problem = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "the review must be an object, not " + JsonNav.Describe(root.ValueKind);
            return false;
        }

        if (!TryString(JsonNav.Child(root, "apiVersion"u8), "apiVersion", ref problem, out apiVersion, ApiVersions)
            || !TryString(JsonNav.Child(root, "kind"u8), "kind", ref problem, out _)
            || !TryObject(JsonNav.Child(root, "request"u8), "request", ref problem, out var fields))
        {
            return false;
        }

        if (fields is not { } r)
        {
            return true;
        }

        var values = default(JsonFields);
        JsonNav.ReadFields(r, RequestKeys, values);
        if (!TryString(values[Uid], "request.uid", ref problem, out var uid)
            || !TryObject(values[KindKey], "request.kind", ref problem, out var kind)
            || !TryString(JsonNav.Child(kind, "kind"u8), "request.kind.kind", ref problem, out var kindName, Kinds)
            || !TryString(values[Name], "request.name", ref problem, out var name)
            || !TryString(values[Namespace], "request.namespace", ref problem, out var @namespace)
            || !TryString(values[Operation], "request.operation", ref problem, out var operation, Operations)
            || !TryObject(values[ObjectKey], "request.object", ref problem, out var obj)
            || !TryObject(values[OldObject], "request.oldObject", ref problem, out var oldObj)
            || !TryBoolean(values[DryRun], "request.dryRun", ref problem, out var dryRun))
        {
            return false;
        }

        request = new AdmissionRequest
        {
            Uid = uid,
            Kind = kindName,
            Name = name,
            Namespace = @namespace,
            Operation = operation,
            Object = obj,
            OldObject = oldObj,
            IsDryRun = dryRun,
        };
        return true;
    }

    // Each: an absent key or JSON null (a null value here) reads as the type's zero value; another JSON type is a problem.
    private static bool TryString(JsonElement? value, string field, ref string? problem, out string? text, KnownText? known = null)
    {
        text = value is { ValueKind: JsonValueKind.String } s ? known?.Find(s) ?? s.GetString() : null;
        return value is null || text is not null || Fail(field, "a string", value.Value, ref problem);
    }

    private static bool TryObject(JsonElement? value, string field, ref string? problem, out JsonElement? obj)
    {
        obj = value is { ValueKind: JsonValueKind.Object } ? value : null;
        return value is null || obj is not null || Fail(field, "an object", value.Value, ref problem);
    }

    private static bool TryBoolean(JsonElement? value, string field, ref string? problem, out bool flag)
    {
        flag = value?.ValueKind == JsonValueKind.True;
        return value is null or { ValueKind: JsonValueKind.True or JsonValueKind.False } || Fail(field, "a boolean", value.Value, ref problem);
    }

    private static bool Fail(string field, string expected, JsonElement value, ref string? problem)
    {
        problem = $"{field} must be {expected}, not {JsonNav.Describe(value.ValueKind)}";
        return false;
    }

    private sealed class KnownText(params string[] texts)
    {
        private readonly (byte[] Utf8, string Text)[] _texts = [.. texts.Select(t => (Encoding.UTF8.GetBytes(t), t))];

        public string? Find(JsonElement value)
        {
            foreach (var (utf8, text) in _texts)
            {
                if (value.ValueEquals(utf8))
                {
                    return text;
                }
            }

            return null;
        }
    }
}
