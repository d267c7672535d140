namespace KubeMacPool.Manager.Kubernetes.Client;

internal static class DictionaryExtensions
{
    /// <summary>A label or annotation value, or null (the models' maps are nullable IDictionary).</summary>
    public static string? ValueOrNull(this IDictionary<string, string>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;
}
