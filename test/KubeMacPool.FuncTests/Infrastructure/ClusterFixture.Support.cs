using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>The fixture's helpers: probing the API server, running the cluster scripts, endpoint.env, logs and progress notes.</summary>
public sealed partial class ClusterFixture
{
    private static async Task<(VersionInfo? Version, string? Error)> ProbeAsync(string kubeconfig, CancellationToken cancellationToken)
    {
        try
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            config.HttpClientTimeout = ProbeTimeout;
            using var client = new Kubernetes(config);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(ProbeTimeout);
            return (await client.Version.GetCodeAsync(cts.Token), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task<ProcessResult> RunScriptAsync(string script, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(
            "bash",
            [script],
            timeout,
            workingDirectory: Repository!.Root,
            environment: new Dictionary<string, string?> { [ProviderVariable] = "local" },
            cancellationToken: cancellationToken);
        Note($"{Path.GetFileName(script)}: {(result.Succeeded ? "ok" : "FAILED")} in {result.Duration.TotalSeconds:F1} s");
        return result;
    }

    /// <summary>The NAME=value lines of <c>_output/cluster/endpoint.env</c> (the last of a repeated name wins); null without the file.</summary>
    internal static Dictionary<string, string>? ReadEndpointEnv(RepositoryPaths repo)
    {
        if (!File.Exists(repo.EndpointEnvFile))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(repo.EndpointEnvFile))
        {
            var line = raw.Trim();
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..];
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || eq <= 0)
            {
                continue;
            }

            values[line[..eq]] = line[(eq + 1)..].Trim('"', '\'');
        }

        return values;
    }

    /// <summary>The last lines of every log under <c>_output/cluster</c> (etcd, apiserver, controller-manager, ...).</summary>
    private static string LogTails(RepositoryPaths repo, int lines = 25)
    {
        if (!Directory.Exists(repo.ClusterStateDirectory))
        {
            return $"\n(no {repo.ClusterStateDirectory} folder, so no control-plane logs)";
        }

        var text = new StringBuilder();
        foreach (var log in Directory.EnumerateFiles(repo.ClusterStateDirectory, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                var all = File.ReadAllLines(log);
                text.Append(CultureInfo.InvariantCulture, $"\n--- {log} (last {Math.Min(lines, all.Length)} of {all.Length} lines) ---\n");
                text.AppendJoin('\n', all.Skip(Math.Max(0, all.Length - lines)));
            }
            catch (IOException ex)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n--- {log}: unreadable ({ex.Message}) ---");
            }
        }

        return text.Length == 0 ? $"\n(no *.log files under {repo.ClusterStateDirectory})" : "\nControl-plane logs:" + text;
    }

    private static string PreserveLogs(RepositoryPaths repo)
    {
        var logs = Path.Combine(repo.ClusterStateDirectory, "logs");
        if (!Directory.Exists(logs))
        {
            return "";
        }

        try
        {
            var target = Path.Combine(repo.Root, "_output", "functest", "cluster-logs");
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(logs))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }

            return $"\n(Full logs copied to {target}.)";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"\n(Could not copy the logs: {ex.Message})";
        }
    }

    private static RepositoryPaths? TryLocateRepository()
    {
        try
        {
            return RepositoryPaths.Locate();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static TimeSpan TimeoutFromEnvironment(string variable, TimeSpan fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : fallback;

    private static bool IsTrue(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase));

    /// <summary>Progress goes to xunit's diagnostics (<c>--xunit-diagnostics on</c>) and to <c>_output/functest/fixture.log</c>.</summary>
    private void Note(string message)
    {
        TestContext.Current.SendDiagnosticMessage("[cluster] " + message);
        if (Repository is null)
        {
            return;
        }

        try
        {
            var log = Path.Combine(Repository.Root, "_output", "functest", "fixture.log");
            Directory.CreateDirectory(Path.GetDirectoryName(log)!);
            File.AppendAllText(log, string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:O} {message}\n"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Progress notes are best effort.
        }
    }
}
