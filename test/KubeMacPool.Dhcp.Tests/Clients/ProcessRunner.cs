using System.Diagnostics;

namespace KubeMacPool.Dhcp.Tests.Clients;

internal sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}; stdout: {Output.Trim()}; stderr: {Error.Trim()}";
}

/// <summary>Runs a command to completion (or kills it at the timeout) and captures its output.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return new ProcessResult(-1, await output, $"killed after {timeout}: {await error}");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    public static Task<ProcessResult> RunAsync(string file, params string[] arguments) => RunAsync(file, arguments, TimeSpan.FromSeconds(30));

    /// <summary>Where <paramref name="name"/> is on PATH (or the usual sbin directories), or null.</summary>
    public static string? Find(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        return path.Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
    }
}
