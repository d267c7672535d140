using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>
/// The manager binary in <c>dhcp-agent</c> mode as a process, serving on loopback ports (no privileges needed):
/// replies to address-less clients go to 127.0.0.1 instead of the broadcast address.
/// </summary>
public sealed class DhcpAgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _logPath;

    private DhcpAgentProcess(Process process, string logPath, int serverPort, int clientPort)
    {
        _process = process;
        _logPath = logPath;
        ServerPort = serverPort;
        ClientPort = clientPort;
    }

    public int ServerPort { get; }

    public int ClientPort { get; }

    public string LogTail(int lines = 40) =>
        File.Exists(_logPath) ? string.Join('\n', File.ReadLines(_logPath).TakeLast(lines)) : "(no log)";

    public static Task<DhcpAgentProcess> StartAsync(ClusterFixture cluster, string pool) =>
        StartAsync(cluster, pool, ["--listen-address=127.0.0.1", "--broadcast-address=127.0.0.1"], FreeUdpPort(), FreeUdpPort());

    /// <summary>The agent on a real interface with the standard ports (67/68): needs root.</summary>
    public static Task<DhcpAgentProcess> StartOnInterfaceAsync(ClusterFixture cluster, string pool, string @interface) =>
        StartAsync(cluster, pool, [$"--interface={@interface}"], 67, 68);

    /// <summary>
    /// The agent as the container of its Deployment starts it: the container's arguments and environment, verbatim but
    /// for what a pod has and this host has not: in-cluster credentials (here <c>--kubeconfig</c>) and the pod's
    /// interface (the Multus <c>interface</c>, here <paramref name="hostInterface"/>). Standard ports, so root.
    /// </summary>
    public static Task<DhcpAgentProcess> StartAsContainerAsync(
        ClusterFixture cluster, IEnumerable<string> args, IEnumerable<(string Name, string Value)> environment,
        string podInterface, string hostInterface, int healthPort)
    {
        var arguments = args.Select(a => a == $"--interface={podInterface}" ? $"--interface={hostInterface}" : a)
            .Append($"--kubeconfig={cluster.KubeconfigPath}");
        return StartProcessAsync(arguments, environment, healthPort, 67, 68);
    }

    private static Task<DhcpAgentProcess> StartAsync(ClusterFixture cluster, string pool, string[] network, int serverPort, int clientPort)
    {
        var healthPort = FreeTcpPort();
        string[] arguments =
        [
            "dhcp-agent", $"--pool={pool}", $"--kubeconfig={cluster.KubeconfigPath}",
            $"--dhcp-port={serverPort}", $"--dhcp-client-port={clientPort}", "--health-address=127.0.0.1", $"--health-port={healthPort}",
            .. network,
        ];
        return StartProcessAsync(arguments, [], healthPort, serverPort, clientPort);
    }

    private static async Task<DhcpAgentProcess> StartProcessAsync(
        IEnumerable<string> arguments, IEnumerable<(string Name, string Value)> environment, int healthPort, int serverPort, int clientPort)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(KubeMacPoolService.ManagerAssembly());
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        var logs = Path.Combine(RepositoryPaths.Locate().Root, "_output", "functest");
        Directory.CreateDirectory(logs);
        var logPath = Path.Combine(logs, $"dhcp-agent-{serverPort}.log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var agent = new DhcpAgentProcess(process, logPath, serverPort, clientPort);

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the agent exited with {process.ExitCode}:\n{agent.LogTail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{healthPort}/readyz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return agent;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await agent.DisposeAsync();
        throw new InvalidOperationException($"the agent did not become ready in 60 s:\n{agent.LogTail()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
