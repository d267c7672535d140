using System.Globalization;
using System.Text.RegularExpressions;
using k8s;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// The API server's own count of open WATCH requests per resource (<c>apiserver_longrunning_gauge</c> on its
/// <c>/metrics</c>), so "one list+watch stream per kind" is counted by the server, not by our code.
/// </summary>
internal static partial class ApiServerWatches
{
    public static async Task<Dictionary<string, int>> ReadAsync(Kubernetes client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, "metrics"));
        if (client.Credentials is not null)
        {
            await client.Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        }

        using var response = await client.HttpClient.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in WatchGauge().Matches(text))
        {
            var resource = m.Groups["resource"].Value;
            counts[resource] = counts.GetValueOrDefault(resource) + (int)double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return counts;
    }

    /// <summary>What a process added: watches open now minus before, per resource, only where it changed.</summary>
    public static string Delta(Dictionary<string, int> before, Dictionary<string, int> after) =>
        string.Join(", ", after
            .Select(a => (Resource: a.Key, Added: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(d => d.Added != 0)
            .OrderBy(d => d.Resource, StringComparer.Ordinal)
            .Select(d => $"{d.Resource} {d.Added}"));

    [GeneratedRegex("""^apiserver_longrunning_gauge\{(?:[^}]*,)?resource="(?<resource>[^"]*)"[^}]*verb="WATCH"[^}]*\} (?<value>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex WatchGauge();
}
