using System.Reflection;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>Finds the repository (the folder holding <c>KubeMacPool.slnx</c>) and the files the harness uses there.</summary>
public sealed class RepositoryPaths
{
    public const string SolutionFileName = "KubeMacPool.slnx";
    public const string RootOverrideVariable = "KMP_REPO_ROOT";

    private RepositoryPaths(string root) => Root = root;

    public string Root { get; }

    public string ClusterUpScript => Path.Combine(Root, "cluster", "up.sh");

    public string ClusterDownScript => Path.Combine(Root, "cluster", "down.sh");

    public string ProvideBinariesScript => Path.Combine(Root, "hack", "control-plane", "provide-binaries.sh");

    public string ClusterStateDirectory => Path.Combine(Root, "_output", "cluster");

    public string EndpointEnvFile => Path.Combine(ClusterStateDirectory, "endpoint.env");

    /// <summary>
    /// Walks up from the test binary, then from the working directory, then from the source folder recorded at
    /// build time (the binary may live outside the repository when built with <c>-p:ArtifactsPath=/tmp/...</c>).
    /// <c>KMP_REPO_ROOT</c> overrides all of that.
    /// </summary>
    public static RepositoryPaths Locate()
    {
        var explicitRoot = Environment.GetEnvironmentVariable(RootOverrideVariable);
        if (!string.IsNullOrWhiteSpace(explicitRoot))
        {
            return File.Exists(Path.Combine(explicitRoot, SolutionFileName))
                ? new RepositoryPaths(Path.GetFullPath(explicitRoot))
                : throw new InvalidOperationException(
                    $"{RootOverrideVariable}={explicitRoot} does not contain {SolutionFileName}.");
        }

        var recorded = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "KubeMacPool.RepositoryRoot")?.Value;
        string?[] starts = [AppContext.BaseDirectory, Environment.CurrentDirectory, recorded];
        foreach (var start in starts)
        {
            if (WalkUp(start) is { } root)
            {
                return new RepositoryPaths(root);
            }
        }

        throw new InvalidOperationException(
            $"Cannot find {SolutionFileName} above {AppContext.BaseDirectory}, {Environment.CurrentDirectory} or " +
            $"{recorded ?? "(no recorded source folder)"}; set {RootOverrideVariable} to the repository root.");
    }

    private static string? WalkUp(string? start)
    {
        for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
