using System.Diagnostics;
using k8s;

[assembly: AssemblyFixture(typeof(KubeMacPool.FuncTests.Harness.ClusterFixture))]

// Webhook configurations are cluster-scoped: tests that register them must not run side by side.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace KubeMacPool.FuncTests.Harness;

/// <summary>
/// The real cluster every functional test talks to. With <c>KUBEVIRT_PROVIDER=external</c> and a reachable
/// <c>KUBECONFIG</c>, that cluster; otherwise the local control plane, started once for the whole run by
/// <c>cluster/up.sh</c> and stopped at the end (only if this run started it).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private bool _startedHere;

    public IKubernetes Client { get; private set; } = null!;

    public string KubeconfigPath { get; private set; } = "";

    /// <summary>True for the local control plane: webhooks are reached by URL on 127.0.0.1.</summary>
    public bool IsLocal { get; private set; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("KUBEVIRT_PROVIDER") == "external";
        if (external)
        {
            KubeconfigPath = Environment.GetEnvironmentVariable("KUBECONFIG")
                ?? throw new InvalidOperationException("KUBEVIRT_PROVIDER=external needs KUBECONFIG");
        }
        else
        {
            IsLocal = true;
            var up = await ProcessRunner.RunAsync(Path.Combine(RepositoryRoot, "cluster", "up.sh"), [], TimeSpan.FromMinutes(30));
            if (up.ExitCode != 0)
            {
                throw new InvalidOperationException($"cluster/up.sh failed ({up.ExitCode}):\n{up.Output}\n{ControlPlaneLogTail()}");
            }

            _startedHere = !up.Output.Contains("already running", StringComparison.Ordinal);
            KubeconfigPath = Path.Combine(RepositoryRoot, "_output", "cluster", "kubeconfig");
        }

        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Client.Version.GetCodeAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (IsLocal && _startedHere && Environment.GetEnvironmentVariable("KMP_KEEP_CLUSTER") != "1")
        {
            await ProcessRunner.RunAsync(Path.Combine(RepositoryRoot, "cluster", "down.sh"), [], TimeSpan.FromMinutes(1));
        }
    }

    private static string ControlPlaneLogTail()
    {
        var logs = Path.Combine(RepositoryRoot, "_output", "cluster", "logs");
        return Directory.Exists(logs)
            ? string.Join('\n', Directory.GetFiles(logs).Select(f => $"--- {f}\n" + string.Join('\n', File.ReadLines(f).TakeLast(15))))
            : "(no control-plane logs)";
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KubeMacPool.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (KubeMacPool.slnx) above " + AppContext.BaseDirectory);
    }
}

/// <summary>Runs a command with a deadline and returns its combined output.</summary>
public static class ProcessRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} timed out after {timeout}\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
