using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// One manager process started the way the scale harness needs it: its own self-signed certificate (<c>--cert-dir</c>,
/// so no certificate manager runs), a fixed port, the production log level; ready when <c>/readyz</c> answers 200.
/// </summary>
internal sealed class ManagerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    // The last lines the manager wrote, for the error when it exits before it is ready.
    private const int KeptLines = 20;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private ManagerProcess(Process process) => _process = process;

    public static string CreateCertificateDirectory()
    {
        var certDir = Directory.CreateTempSubdirectory("kmp-scale-certs-").FullName;
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(2));
        File.WriteAllText(Path.Combine(certDir, "tls.crt"), cert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(certDir, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        return certDir;
    }

    /// <summary>
    /// A port nothing listens on or connects from now. A random one could be the local port of one of the API
    /// server's connections to etcd (the ephemeral range starts at 32768), and the manager then fails to bind.
    /// </summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static ManagerProcess Start(string managerDll, string kubeconfig, string certDir, int port)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { managerDll, "--webhook-address=127.0.0.1", $"--webhook-port={port}", $"--cert-dir={certDir}", $"--kubeconfig={kubeconfig}", "--metrics-addr=0" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["POD_NAMESPACE"] = "default";
        psi.Environment["RANGE_START"] = "02:00:00:00:00:00";
        psi.Environment["RANGE_END"] = "02:FF:FF:FF:FF:FF";
        var process = Process.Start(psi)!;
        var manager = new ManagerProcess(process);
        process.OutputDataReceived += (_, e) => manager.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => manager.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return manager;
    }

    /// <summary>Waits for <c>/readyz</c>; returns the time since <paramref name="since"/>.</summary>
    public async Task<TimeSpan> WaitReadyAsync(int port, Stopwatch since)
    {
        while (since.Elapsed < TimeSpan.FromMinutes(5))
        {
            try
            {
                using var response = await Http.GetAsync(new Uri($"https://127.0.0.1:{port}/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return since.Elapsed;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            if (_process.HasExited)
            {
                _process.WaitForExit(); // the output read to its end
                lock (_lastLines)
                {
                    throw new InvalidOperationException($"the manager exited with {_process.ExitCode}; its last lines:\n{string.Join('\n', _lastLines)}");
                }
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("the manager was not ready after 5 minutes");
    }

    public double RssMiB()
    {
        _process.Refresh();
        return _process.WorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>SIGKILL, as a node failure or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
