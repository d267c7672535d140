using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KubeMacPool.FuncTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// A real Prometheus (hack/prometheus/provide.sh) scraping the manager's real metrics endpoint with a bearer token,
/// every second, and evaluating the rules of config/monitoring's PrometheusRule as they are written there.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(Process process, string directory, Uri api)
    {
        _process = process;
        _directory = directory;
        _http.BaseAddress = api;
    }

    /// <summary>Starts Prometheus against <paramref name="metricsUrl"/>; or null and the reason when the machine cannot provide one.</summary>
    public static async Task<(PrometheusServer? Server, string Unavailable)> StartAsync(Uri metricsUrl, string token)
    {
        var root = RepositoryPaths.Locate().Root;
        var provide = await ProcessRunner.RunAsync(Path.Combine(root, "hack", "prometheus", "provide.sh"), [], TimeSpan.FromMinutes(5));
        var line = provide.OutputLines.LastOrDefault(l => l.StartsWith("PROMETHEUS=", StringComparison.Ordinal));
        if (!provide.Succeeded || line is null)
        {
            return (null, "hack/prometheus/provide.sh could not provide a Prometheus server: " + provide.Describe(10));
        }

        var directory = Directory.CreateTempSubdirectory("kmp-prometheus-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "token"), token);
        await File.WriteAllTextAsync(Path.Combine(directory, "rules.yaml"), RulesOf(Path.Combine(root, "config", "monitoring", "prometheus-rule.yaml")));
        var config = new JsonObject
        {
            ["global"] = new JsonObject { ["scrape_interval"] = "1s", ["evaluation_interval"] = "1s" },
            ["rule_files"] = new JsonArray(Path.Combine(directory, "rules.yaml")),
            ["scrape_configs"] = new JsonArray(new JsonObject
            {
                ["job_name"] = "kubemacpool",
                ["scheme"] = "https",
                ["metrics_path"] = metricsUrl.AbsolutePath,
                ["tls_config"] = new JsonObject { ["insecure_skip_verify"] = true },
                ["authorization"] = new JsonObject { ["credentials_file"] = Path.Combine(directory, "token") },
                ["static_configs"] = new JsonArray(new JsonObject { ["targets"] = new JsonArray($"{metricsUrl.Host}:{metricsUrl.Port}") }),
            }),
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), config.ToJsonString()); // JSON is YAML

        var port = FreePort();
        var psi = new ProcessStartInfo(line["PROMETHEUS=".Length..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            $"--config.file={Path.Combine(directory, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        var log = new StreamWriter(Path.Combine(directory, "prometheus.log")) { AutoFlush = true };
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        await server.WaitReadyAsync();
        return (server, "");
    }

    /// <summary>The state of an alerting rule: <c>inactive</c>, <c>pending</c> or <c>firing</c>.</summary>
    public async Task<string> AlertStateAsync(string alert)
    {
        var rules = JsonNode.Parse(await _http.GetStringAsync(new Uri("api/v1/rules?type=alert", UriKind.Relative)))!;
        return rules["data"]!["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray())
            .Single(r => r!["name"]!.GetValue<string>() == alert)!["state"]!.GetValue<string>();
    }

    /// <summary>Health of the scrape target (<c>up</c> when the last scrape was authorised and parsed).</summary>
    public async Task<string> TargetHealthAsync()
    {
        var targets = JsonNode.Parse(await _http.GetStringAsync(new Uri("api/v1/targets", UriKind.Relative)))!;
        var active = targets["data"]!["activeTargets"]!.AsArray();
        return active.Count == 0 ? "none" : active[0]!["health"]!.GetValue<string>() + " " + active[0]!["lastError"];
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The <c>spec</c> of the PrometheusRule manifest is a Prometheus rules file as it stands.</summary>
    private static string RulesOf(string manifest)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(manifest)));
        var spec = ((YamlMappingNode)stream.Documents[0].RootNode)["spec"];
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(spec)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}; log in {_directory}/prometheus.log");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri("-/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("prometheus was not ready within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
