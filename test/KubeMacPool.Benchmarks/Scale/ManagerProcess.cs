using System.Diagnostics;
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

    private readonly Process _process;

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
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ManagerProcess(process);
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
                throw new InvalidOperationException($"the manager exited with {_process.ExitCode}");
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
}
