using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.HighAvailability;

/// <summary>
/// The two-replica bed of <c>make cluster-sync REPLICAS=2</c> (cluster/sync-replicas.sh): replicas behind HAProxy, each
/// restartable with its launcher the way its Deployment would restart it. Finds the leader by the Lease.
/// </summary>
internal sealed class ReplicaBed(TestCluster k, RepositoryPaths repo)
{
    public const string Lease = "kubemacpool-leader";
    public const int Replicas = 2;

    private static readonly HttpClient Http = new(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    public static Dictionary<string, string?> Environment() => new()
    {
        [ClusterFixture.ProviderVariable] = "local",
        ["KMP_MANAGER_DLL"] = KubeMacPoolService.ManagerAssembly(),
        ["KMP_MANAGER_ARGS"] = null,
        ["KMP_WEBHOOK_PORT"] = null,
        ["KMP_METRICS_PORT"] = null,
        ["REPLICAS"] = Replicas.ToString(CultureInfo.InvariantCulture),
    };

    public async Task SyncAsync(int replicas = Replicas)
    {
        var env = Environment();
        env["REPLICAS"] = replicas.ToString(CultureInfo.InvariantCulture);
        var result = await ProcessRunner.RunAsync(
            "bash", [Path.Combine(repo.Root, "cluster", "sync.sh"), "--no-build"], TimeSpan.FromMinutes(3), repo.Root, env, k.CancellationToken);
        Assert.True(result.Succeeded, result.Describe());
    }

    public Task<ProcessResult> CleanAsync() => ProcessRunner.RunAsync(
        "bash", [Path.Combine(repo.Root, "cluster", "clean.sh")], TimeSpan.FromMinutes(1), repo.Root, Environment(), CancellationToken.None);

    public IReadOnlyList<string> ReplicaUrls =>
        (ClusterFixture.ReadEndpointEnv(repo)?.GetValueOrDefault("KMP_REPLICA_URLS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public int Pid(int replica) =>
        int.Parse(File.ReadAllText(Path.Combine(repo.ClusterStateDirectory, "pids", $"kubemacpool-replica-{replica}.pid")).Trim(), CultureInfo.InvariantCulture);

    public string Log(int replica) => Path.Combine(repo.ClusterStateDirectory, "logs", $"kubemacpool-replica-{replica}.log");

    /// <summary>The replica the Lease names (its identity starts with its POD_NAME), or null while nobody holds it.</summary>
    public async Task<(int Replica, string Identity)?> LeaderAsync()
    {
        var lease = await k.Client.CoordinationV1.ReadNamespacedLeaseAsync(Lease, KubeMacPoolService.Namespace, cancellationToken: k.CancellationToken);
        var holder = lease.Spec?.HolderIdentity;
        for (var i = 0; i < Replicas && !string.IsNullOrEmpty(holder); i++)
        {
            if (holder.StartsWith($"kubemacpool-replica-{i}_", StringComparison.Ordinal))
            {
                return (i, holder);
            }
        }

        return null;
    }

    public async Task<(int Replica, string Identity)> WaitForLeaderAsync()
    {
        (int, string)? leader = null;
        await k.EventuallyAsync(async () => (leader = await LeaderAsync()) is not null, "a replica to hold the Lease", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        return leader!.Value;
    }

    public void Signal(int replica, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, Pid(replica).ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task WaitForExitAsync(int replica, TimeSpan timeout)
    {
        var pid = Pid(replica);
        await k.EventuallyAsync(() => Task.FromResult(!File.Exists($"/proc/{pid}/cmdline") || File.ReadAllText($"/proc/{pid}/cmdline").Length == 0), $"replica {replica} (pid {pid}) to exit", timeout, TimeSpan.FromMilliseconds(50));
    }

    /// <summary>What the Deployment does after a replica died: start it again (same name and ports), then wait for /readyz.</summary>
    public async Task RestartAsync(int replica)
    {
        var result = await ProcessRunner.RunAsync(
            "bash", [Path.Combine(repo.ClusterStateDirectory, $"replica-{replica}.sh")], TimeSpan.FromSeconds(30), repo.Root, Environment(), k.CancellationToken);
        Assert.True(result.Succeeded, result.Describe());
        await WaitReadyAsync(replica);

        // A Deployment's rollout goes on once the new pod is an endpoint again; here: once the balancer routes to it.
        await k.EventuallyAsync(async () => await BalancerStatusAsync(replica) == "UP", $"HAProxy to mark replica {replica} UP", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The balancer's status of one replica (UP, DOWN, ...), read from its stats socket.</summary>
    public async Task<string?> BalancerStatusAsync(int replica)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(repo.ClusterStateDirectory, "haproxy.sock")), k.CancellationToken);
        await socket.SendAsync("show stat\n"u8.ToArray(), k.CancellationToken);
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        var stat = await reader.ReadToEndAsync(k.CancellationToken);
        return stat.Split('\n').Select(l => l.Split(',')).FirstOrDefault(f => f.Length > 17 && f[0] == "replicas" && f[1] == $"replica-{replica}")?[17];
    }

    public Task WaitReadyAsync(int replica) => k.EventuallyAsync(
        async () =>
        {
            try
            {
                using var ready = await Http.GetAsync(new Uri(ReplicaUrls[replica] + "/readyz"), k.CancellationToken);
                return ready.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException) when (!k.CancellationToken.IsCancellationRequested)
            {
                return false;
            }
        },
        $"replica {replica} to answer /readyz",
        TimeSpan.FromSeconds(60),
        TimeSpan.FromMilliseconds(100));
}
