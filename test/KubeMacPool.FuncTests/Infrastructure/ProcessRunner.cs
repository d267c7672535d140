using System.Diagnostics;
using System.Text;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>The outcome of one <see cref="ProcessRunner.RunAsync"/> call.</summary>
public sealed record ProcessResult(
    string CommandLine,
    int ExitCode,
    bool TimedOut,
    TimeSpan Duration,
    IReadOnlyList<string> OutputLines)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>The last <paramref name="lines"/> lines of interleaved stdout and stderr.</summary>
    public string Tail(int lines = 40) =>
        string.Join('\n', OutputLines.Skip(Math.Max(0, OutputLines.Count - lines)));

    public string Describe(int tailLines = 40)
    {
        var what = TimedOut
            ? $"`{CommandLine}` did not finish within {Duration.TotalSeconds:F0} s and was killed"
            : $"`{CommandLine}` exited with code {ExitCode} after {Duration.TotalSeconds:F1} s";
        return OutputLines.Count == 0 ? $"{what} (no output)." : $"{what}; last output:\n{Tail(tailLines)}";
    }

    public ProcessResult EnsureSuccess() =>
        Succeeded ? this : throw new InvalidOperationException(Describe());
}

/// <summary>
/// Runs a command with a hard timeout, capturing stdout and stderr line by line.
/// </summary>
/// <remarks>
/// Scripts such as <c>cluster/up.sh</c> start daemons that may inherit the script's stdout. Waiting for the pipes
/// to close would then hang until the daemons exit, so this waits for the <em>process</em> to exit and gives the
/// pipes only a short grace period afterwards; the readers keep draining in the background so a daemon never
/// blocks on a full pipe.
/// </remarks>
public static class ProcessRunner
{
    private const int MaxKeptLines = 4000;
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var args = arguments.ToList();
        var commandLine = string.Join(' ', new[] { fileName }.Concat(args.Select(Quote)));
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    psi.Environment.Remove(key);
                }
                else
                {
                    psi.Environment[key] = value;
                }
            }
        }

        var lines = new Queue<string>();
        var started = Stopwatch.StartNew();
        // Not `using`: disposing closes our end of the pipes, and a daemon that inherited them would die of
        // SIGPIPE on its next write. The process object is disposed once both readers reach end of stream.
        var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"Cannot start `{commandLine}`: {ex.Message}", ex);
        }

        process.StandardInput.Close();
        var stdout = PumpAsync(process.StandardOutput, lines);
        var stderr = PumpAsync(process.StandardError, lines);

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            KillTree(process);
            try
            {
                using var killWait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(killWait.Token);
            }
            catch (OperationCanceledException)
            {
                // The process ignored SIGKILL of its tree (zombie); report what we have.
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        // Let the readers catch the last lines; do not wait for daemons that inherited the pipes.
        await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(DrainGrace, CancellationToken.None));
        started.Stop();

        string[] snapshot;
        lock (lines)
        {
            snapshot = [.. lines];
        }

        var exitCode = process.HasExited ? process.ExitCode : -1;
        _ = Task.WhenAll(stdout, stderr).ContinueWith(_ => process.Dispose(), TaskScheduler.Default);
        return new ProcessResult(commandLine, exitCode, timedOut, started.Elapsed, snapshot);
    }

    private static async Task PumpAsync(StreamReader reader, Queue<string> lines)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Enqueue(line);
                    while (lines.Count > MaxKeptLines)
                    {
                        lines.Dequeue();
                    }
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke: nothing more to read.
        }
        catch (ObjectDisposedException)
        {
            // The process object went away while a daemon still held the pipe.
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Raced with exit.
        }
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:,@%+".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
