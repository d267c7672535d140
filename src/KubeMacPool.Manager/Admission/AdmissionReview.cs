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

    /// <summary>How a review body is parsed: a duplicate key anywhere is malformed, as a tree would refuse it.</summary>
    public static readonly JsonDocumentOptions ParseOptions = new() { AllowDuplicateProperties = false };

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

        if (!TryString(root, "apiVersion", "", ref problem, out apiVersion) || !TryString(root, "kind", "", ref problem, out _)
            || !TryObject(root, "request", "", ref problem, out var fields))
        {
            return false;
        }

        if (fields is not { } r)
        {
            return true;
        }

        if (!TryString(r, "uid", "request.", ref problem, out var uid)
            || !TryObject(r, "kind", "request.", ref problem, out var kind)
            || (kind is { } k && !TryString(k, "kind", "request.kind.", ref problem, out _))
            || !TryString(r, "name", "request.", ref problem, out var name)
            || !TryString(r, "namespace", "request.", ref problem, out var @namespace)
            || !TryString(r, "operation", "request.", ref problem, out var operation)
            || !TryObject(r, "object", "request.", ref problem, out var obj)
            || !TryObject(r, "oldObject", "request.", ref problem, out var oldObj)
            || !TryBoolean(r, "dryRun", "request.", ref problem, out var dryRun))
        {
            return false;
        }

        request = new AdmissionRequest
        {
            Uid = uid,
            Kind = kind is { } gvk ? Text(gvk, "kind") : null,
            Name = name,
            Namespace = @namespace,
            Operation = operation,
            Object = obj,
            OldObject = oldObj,
            IsDryRun = dryRun,
        };
        return true;
    }

    // Each: an absent key or JSON null reads as null (the type's zero value); another JSON type is a problem.
    private static bool TryString(JsonElement parent, string key, string path, ref string? problem, out string? text)
    {
        text = null;
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return text is not null || Fail(path + key, "a string", value, ref problem);
    }

    private static bool TryObject(JsonElement parent, string key, string path, ref string? problem, out JsonElement? obj)
    {
        obj = null;
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        obj = value.ValueKind == JsonValueKind.Object ? value : null;
        return obj is not null || Fail(path + key, "an object", value, ref problem);
    }

    private static bool TryBoolean(JsonElement parent, string key, string path, ref string? problem, out bool flag)
    {
        flag = false;
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        flag = value.ValueKind == JsonValueKind.True;
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False || Fail(path + key, "a boolean", value, ref problem);
    }

    private static string? Text(JsonElement parent, string key) =>
        parent.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Fail(string field, string expected, JsonElement value, ref string? problem)
    {
        problem = $"{field} must be {expected}, not {JsonNav.Describe(value.ValueKind)}";
        return false;
    }
}
