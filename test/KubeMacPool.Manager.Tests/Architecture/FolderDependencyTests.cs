using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace KubeMacPool.Manager.Tests.Architecture;

/// <summary>
/// Dependencies point one way: features → shared plumbing → Core. Read from the sources' using directives, so a new
/// cycle fails here with the file that made it, not in review.
/// </summary>
public sealed partial class FolderDependencyTests
{
    /// <summary>The plumbing, each folder with the plumbing it may use (lower layers only).</summary>
    private static readonly Dictionary<string, string[]> Plumbing = new(StringComparer.Ordinal)
    {
        ["Configuration"] = [],
        ["Kubernetes"] = ["Configuration", "Hosting"],
        ["Telemetry"] = ["Configuration", "Hosting"],
        ["Hosting"] = ["Configuration"],
        ["Namespaces"] = ["Kubernetes"],
        ["Admission"] = ["Configuration", "Hosting", "Telemetry"],
    };

    private static readonly string[] Features = ["Pool", "Collisions", "PersistentIps", "StaticIps", "DhcpAgent", "Certificates", "HighAvailability"];

    [Fact]
    public void Plumbing_uses_only_lower_plumbing_and_features_use_no_other_feature()
    {
        var problems = new List<string>();
        foreach (var file in Directory.EnumerateFiles(ManagerSources(), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(ManagerSources(), file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal) || !relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue; // the composition root (ManagerHost, Program) and WellKnown may use anything
            }

            var folder = relative.Split(Path.DirectorySeparatorChar)[0];
            foreach (Match used in UsingDirective().Matches(File.ReadAllText(file)))
            {
                var target = used.Groups["folder"].Value;
                if (target == folder)
                {
                    continue;
                }

                var allowed = Plumbing.TryGetValue(folder, out var lower)
                    ? lower.Contains(target)
                    : Features.Contains(folder) && Plumbing.ContainsKey(target);
                if (!allowed)
                {
                    problems.Add($"{relative} uses {target}");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Every_folder_is_known_as_plumbing_or_feature()
    {
        var folders = Directory.EnumerateDirectories(ManagerSources())
            .Where(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories).Any())
            .Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj" or "Properties"))
            .ToList();
        Assert.All(folders, f => Assert.True(Plumbing.ContainsKey(f!) || Features.Contains(f), $"{f}: add it to the plumbing or the features above"));
    }

    private static string ManagerSources([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "src", "KubeMacPool.Manager"));

    [GeneratedRegex(@"^using KubeMacPool\.Manager\.(?<folder>\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();
}
