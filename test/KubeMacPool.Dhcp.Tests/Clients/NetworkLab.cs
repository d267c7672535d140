using System.Globalization;
using System.Net;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Dhcp.Tests.Clients;

/// <summary>
/// A veth pair: the agent's end stays in this (root) namespace with the server address; the client's end moves into
/// a fresh network namespace with the client MAC. Names are unique per lab; disposal removes both even after a failure.
/// </summary>
internal sealed class NetworkLab : IAsyncDisposable
{
    private readonly List<string> _pidFiles = [];

    private NetworkLab(string id, int subnet, MacAddress clientMac)
    {
        Namespace = $"kmpdhcp-{id}";
        AgentInterface = $"kd{id}a";
        ClientInterface = $"kd{id}c";
        Prefix = $"198.18.{subnet}";
        ClientMac = clientMac;
        Directory = System.IO.Directory.CreateTempSubdirectory($"kmpdhcp-{id}-").FullName;
    }

    public string Namespace { get; }

    public string AgentInterface { get; }

    public string ClientInterface { get; }

    /// <summary>First three octets of the lab's /24 (198.18.0.0/15 is reserved for benchmarking, RFC 2544).</summary>
    public string Prefix { get; }

    public IPAddress Address(int host) => IPAddress.Parse($"{Prefix}.{host}");

    public IPAddress ServerAddress => Address(1);

    public MacAddress ClientMac { get; }

    /// <summary>A scratch directory for scripts, lease and pid files.</summary>
    public string Directory { get; }

    /// <summary>Builds a lab, or returns the reason this machine cannot (no `ip`, no permission for namespaces).</summary>
    public static async Task<(NetworkLab? Lab, string? Reason)> TryCreateAsync()
    {
        if (ProcessRunner.Find("ip") is null)
        {
            return (null, "the `ip` command (iproute2) is not installed");
        }

        var id = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..6];
        var mac = new MacAddress(0x02_00_00_00_00_00UL | (ulong)Random.Shared.NextInt64(1, 1L << 40));
        var lab = new NetworkLab(id, Random.Shared.Next(0, 256), mac);
        var probe = await ProcessRunner.RunAsync("ip", "netns", "add", lab.Namespace);
        if (probe.ExitCode != 0)
        {
            await lab.DisposeAsync();
            return (null, $"this machine cannot create network namespaces (`ip netns add` failed: {probe.Error.Trim()})");
        }

        try
        {
            await IpAsync("link", "add", lab.AgentInterface, "type", "veth", "peer", "name", lab.ClientInterface);
            await IpAsync("link", "set", lab.ClientInterface, "netns", lab.Namespace);
            await IpAsync("addr", "add", $"{lab.ServerAddress}/24", "dev", lab.AgentInterface);
            await IpAsync("link", "set", lab.AgentInterface, "up");
            await IpAsync("-n", lab.Namespace, "link", "set", "lo", "up");
            await IpAsync("-n", lab.Namespace, "link", "set", lab.ClientInterface, "address", mac.ToString());
            await IpAsync("-n", lab.Namespace, "link", "set", lab.ClientInterface, "up");
            return (lab, null);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public static async Task IpAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("ip", arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {result}");
        }
    }

    /// <summary>Runs a command inside the client namespace.</summary>
    public Task<ProcessResult> InNamespaceAsync(TimeSpan timeout, params string[] command) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", Namespace, .. command], timeout);

    /// <summary>A daemon's pid file to kill at disposal.</summary>
    public string PidFile(string name)
    {
        var path = Path.Combine(Directory, name);
        _pidFiles.Add(path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pidFile in _pidFiles)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (ArgumentException)
                {
                    // already gone
                }
            }
        }

        await ProcessRunner.RunAsync("ip", "link", "del", AgentInterface); // takes the peer with it
        await ProcessRunner.RunAsync("ip", "netns", "del", Namespace);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a daemon may still be writing; the temp directory is harmless
        }
    }
}
