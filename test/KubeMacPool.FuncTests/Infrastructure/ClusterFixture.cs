using System.Globalization;
using k8s;
using k8s.Models;

[assembly: AssemblyFixture(typeof(KubeMacPool.FuncTests.Infrastructure.ClusterFixture))]

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>
/// One Kubernetes API server for the whole test run.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>KUBEVIRT_PROVIDER=external</c>: the cluster <c>$KUBECONFIG</c> points at is used as it is; it must answer
/// <c>GET /version</c>.</item>
/// <item>Otherwise (<c>local</c>, the default): the local control plane is started with <c>cluster/up.sh</c> (etcd,
/// kube-apiserver and kube-controller-manager on 127.0.0.1) and stopped again with <c>cluster/down.sh</c> at the end, but
/// only if this run started it; a control plane that was already running is reused and left running.</item>
/// </list>
/// Every step has a timeout, so a control plane that does not come up fails the run with the tail of its logs
/// instead of hanging it.
/// </remarks>
public sealed partial class ClusterFixture : IAsyncLifetime
{
    public const string ProviderVariable = "KUBEVIRT_PROVIDER";
    public const string KubeconfigVariable = "KUBECONFIG";
    public const string UpTimeoutVariable = "KMP_FUNCTEST_UP_TIMEOUT";
    public const string BuildTimeoutVariable = "KMP_FUNCTEST_BUILD_TIMEOUT";
    public const string KeepClusterVariable = "KMP_FUNCTEST_KEEP_CLUSTER";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DownTimeout = TimeSpan.FromSeconds(90);

    private Kubernetes? _client;

    /// <summary>The admin client of the cluster under test.</summary>
    public IKubernetes Client => _client ?? throw new InvalidOperationException("The cluster fixture is not initialized.");

    public KubernetesClientConfiguration ClientConfiguration { get; private set; } = null!;

    /// <summary>The admin kubeconfig (for kubectl, or for a manager process started by a test).</summary>
    public string KubeconfigPath { get; private set; } = "";

    /// <summary>True for the loopback control plane (webhooks reachable at https://127.0.0.1:PORT via <c>url</c>).</summary>
    public bool IsLocal { get; private set; }

    /// <summary>True when this run started the local control plane (and so stops it at the end).</summary>
    public bool StartedByFixture { get; private set; }

    public string ApiServerUrl { get; private set; } = "";

    /// <summary>From <c>endpoint.env</c> in local mode; null in external mode.</summary>
    public string? EtcdUrl { get; private set; }

    public VersionInfo ServerVersion { get; private set; } = null!;

    /// <summary>The repository, when it could be found (always in local mode).</summary>
    public RepositoryPaths? Repository { get; private set; }

    /// <summary>API servers before 1.24 only admit Pods once the ServiceAccount has a token Secret.</summary>
    public bool ServiceAccountsHaveTokenSecrets =>
        int.TryParse(new string(ServerVersion.Minor.TakeWhile(char.IsDigit).ToArray()), CultureInfo.InvariantCulture, out var minor)
        && ServerVersion.Major == "1" && minor < 24;

    /// <summary>A new client for the same cluster (dispose it), e.g. for a different timeout.</summary>
    public Kubernetes CreateClient() => new(ClientConfiguration);

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var provider = Environment.GetEnvironmentVariable(ProviderVariable);
        if (string.IsNullOrWhiteSpace(provider))
        {
            provider = "local";
        }

        try
        {
            switch (provider)
            {
                case "external":
                    await UseExternalClusterAsync(cancellationToken);
                    break;
                case "local":
                    await UseLocalControlPlaneAsync(cancellationToken);
                    break;
                default:
                    throw new InvalidOperationException(
                        $"{ProviderVariable}={provider} is not supported by the functional tests; use 'local' (default) or 'external'.");
            }

            ClientConfiguration = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);
            _client = new Kubernetes(ClientConfiguration);
            ApiServerUrl = ClientConfiguration.Host;
        }
        catch when (StartedByFixture)
        {
            // Do not leave a half-usable control plane behind when the run cannot use it.
            await RunScriptAsync(Repository!.ClusterDownScript, DownTimeout, CancellationToken.None);
            StartedByFixture = false;
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _client = null;
        if (!StartedByFixture || Repository is null)
        {
            return;
        }

        if (IsTrue(Environment.GetEnvironmentVariable(KeepClusterVariable)))
        {
            Note($"{KeepClusterVariable} is set: leaving the local control plane running ({KubeconfigPath}).");
            return;
        }

        var down = await RunScriptAsync(Repository.ClusterDownScript, DownTimeout, CancellationToken.None);
        if (!down.Succeeded)
        {
            throw new InvalidOperationException(
                "The functional tests started the local control plane but could not stop it: " + down.Describe() +
                LogTails(Repository));
        }
    }

    private async Task UseExternalClusterAsync(CancellationToken cancellationToken)
    {
        var kubeconfig = Environment.GetEnvironmentVariable(KubeconfigVariable)?
            .Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(kubeconfig) || !File.Exists(kubeconfig))
        {
            throw new InvalidOperationException(
                $"{ProviderVariable}=external needs {KubeconfigVariable} to name a kubeconfig file " +
                $"({KubeconfigVariable}='{Environment.GetEnvironmentVariable(KubeconfigVariable)}'). " +
                $"Unset {ProviderVariable} to run against the local control plane instead.");
        }

        var (version, error) = await ProbeAsync(kubeconfig, cancellationToken);
        if (version is null)
        {
            throw new InvalidOperationException(
                $"{ProviderVariable}=external, but the cluster in {kubeconfig} does not answer GET /version: {error}. " +
                $"Unset {ProviderVariable} to run against the local control plane instead.");
        }

        KubeconfigPath = Path.GetFullPath(kubeconfig);
        ServerVersion = version;
        IsLocal = false;
        Repository = TryLocateRepository();
    }

    private async Task UseLocalControlPlaneAsync(CancellationToken cancellationToken)
    {
        var repo = RepositoryPaths.Locate();
        Repository = repo;
        IsLocal = true;
        if (!File.Exists(repo.ClusterUpScript))
        {
            throw new InvalidOperationException(
                $"{repo.ClusterUpScript} does not exist, so the local control plane cannot be started. " +
                $"Set {ProviderVariable}=external and {KubeconfigVariable} to use an existing cluster.");
        }

        // Already running (another run, or `make cluster-up`)? Then reuse it and leave it running.
        var alreadyRunning = false;
        if (ReadEndpointEnv(repo) is { } existing && existing.TryGetValue("KUBECONFIG", out var existingKubeconfig))
        {
            alreadyRunning = (await ProbeAsync(existingKubeconfig, cancellationToken)).Version is not null;
        }

        // The first run on a machine builds kube-apiserver from source (several minutes); that happens under its own,
        // long timeout so that starting the processes can keep a short one. Without the script, up.sh builds.
        var buildTimeout = TimeoutFromEnvironment(BuildTimeoutVariable, TimeSpan.FromMinutes(40));
        var hasProvider = File.Exists(repo.ProvideBinariesScript);
        var upTimeout = TimeoutFromEnvironment(UpTimeoutVariable, hasProvider ? TimeSpan.FromMinutes(4) : buildTimeout);
        if (alreadyRunning)
        {
            Note($"reusing the running local control plane ({repo.EndpointEnvFile}); it stays running after the tests");
        }
        else if (hasProvider)
        {
            Note("providing control-plane binaries (the first run on a machine builds them: ~10 min)");
            var provide = await RunScriptAsync(repo.ProvideBinariesScript, buildTimeout, cancellationToken);
            if (!provide.Succeeded)
            {
                throw new InvalidOperationException(
                    "The control-plane binaries are not available: " + provide.Describe() + LogTails(repo));
            }
        }

        // Idempotent: with a healthy cluster it only prints its endpoint.
        ProcessResult up;
        try
        {
            up = await RunScriptAsync(repo.ClusterUpScript, upTimeout, cancellationToken);
        }
        catch (OperationCanceledException) when (!alreadyRunning)
        {
            // The run was aborted half-way: the daemons up.sh started live in their own sessions, stop them by PID.
            await RunScriptAsync(repo.ClusterDownScript, DownTimeout, CancellationToken.None);
            throw;
        }

        StartedByFixture = !alreadyRunning;
        if (!up.Succeeded)
        {
            var message = "The local control plane did not start: " + up.Describe() + LogTails(repo);
            if (!alreadyRunning)
            {
                // down.sh removes _output/cluster, logs included: keep a copy for a closer look.
                message += PreserveLogs(repo);
                var down = await RunScriptAsync(repo.ClusterDownScript, DownTimeout, CancellationToken.None);
                StartedByFixture = false;
                message += down.Succeeded ? "\n(cluster/down.sh cleaned up.)" : "\ncluster/down.sh also failed: " + down.Describe(10);
            }

            throw new InvalidOperationException(message);
        }

        var env = ReadEndpointEnv(repo) ?? throw new InvalidOperationException(
            $"cluster/up.sh succeeded but did not write {repo.EndpointEnvFile}.\n{up.Describe()}");
        if (!env.TryGetValue("KUBECONFIG", out var kubeconfig) || !File.Exists(kubeconfig))
        {
            throw new InvalidOperationException(
                $"{repo.EndpointEnvFile} has no KUBECONFIG line naming an existing file:\n{File.ReadAllText(repo.EndpointEnvFile)}");
        }

        EtcdUrl = env.GetValueOrDefault("ETCD_URL");
        KubeconfigPath = kubeconfig;

        // up.sh waits for readiness itself; this only guards against a script that returns early.
        var deadline = DateTime.UtcNow + ReadyTimeout;
        string? lastError;
        while (true)
        {
            (var version, lastError) = await ProbeAsync(kubeconfig, cancellationToken);
            if (version is not null)
            {
                ServerVersion = version;
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"cluster/up.sh succeeded, but the API server in {kubeconfig} did not answer GET /version " +
                    $"within {ReadyTimeout.TotalSeconds:F0} s: {lastError}" + LogTails(repo));
            }

            await Task.Delay(500, cancellationToken);
        }
    }
}
