using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>
/// The real kubemacpool manager as a process against the test cluster, registered as MutatingWebhookConfiguration
/// <c>kubemacpool-mutator</c> (both webhooks, opt-out, failurePolicy Fail) by URL on 127.0.0.1 with an empty
/// caBundle: the manager makes its own CA and serving certificate and injects the CA, as it does in a cluster.
/// Tests restart it as upstream's do (the pool must come back ready with the same state) or stop it (webhook down).
/// </summary>
public sealed class KubeMacPoolService : IAsyncDisposable
{
    public const string Namespace = "kubemacpool-system";
    public const string ConfigurationName = "kubemacpool-mutator";
    public const string RangeConfigMap = "kubemacpool-mac-range-config";
    public const string StatusConfigMap = "kubemacpool-pool-status";
    public const string PodsWebhook = "mutatepods.kubemacpool.io";
    public const string VirtualMachinesWebhook = "mutatevirtualmachines.kubemacpool.io";
    public const string LauncherPodsWebhookName = "ipam-claims.kubemacpool.io";
    public const string DefaultRangeStart = "02:00:00:00:00:00";
    public const string DefaultRangeEnd = "02:00:00:FF:FF:FF";

    private readonly ClusterFixture _cluster;
    private readonly string _logPath;
    private readonly int _waitTimeSeconds;
    private readonly string? _duplicateMacs;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;

    private KubeMacPoolService(
        ClusterFixture cluster, int waitTimeSeconds, string? duplicateMacs, IReadOnlyDictionary<string, string>? environment)
    {
        _cluster = cluster;
        _waitTimeSeconds = waitTimeSeconds;
        _duplicateMacs = duplicateMacs;
        _environment = environment ?? new Dictionary<string, string>();
        Port = FreePort();
        MetricsPort = FreePort();
        var logs = Path.Combine(RepositoryPaths.Locate().Root, "_output", "functest");
        Directory.CreateDirectory(logs);
        _logPath = Path.Combine(logs, $"kubemacpool-{Port}.log");
    }

    public int Port { get; }

    /// <summary>The HTTPS metrics port (<c>--metrics-addr=127.0.0.1:port</c>; never the default 8443, which other runs may hold).</summary>
    public int MetricsPort { get; }

    public Uri MetricsUrl => new($"https://127.0.0.1:{MetricsPort}/metrics");

    public IKubernetes Client => _cluster.Client;

    /// <summary>How long the last (re)start took until /readyz answered 200.</summary>
    public TimeSpan LastStartup { get; private set; }

    /// <param name="cluster">The test cluster.</param>
    /// <param name="waitTimeSeconds"><c>--wait-time</c>.</param>
    /// <param name="duplicateMacs">The ConfigMap's <c>DUPLICATE_MACS</c> (<c>allow</c> for collision scenarios); unset = reject.</param>
    /// <param name="environment">Extra environment of the process (e.g. the certificate rotation intervals).</param>
    public static async Task<KubeMacPoolService> StartAsync(
        ClusterFixture cluster,
        int waitTimeSeconds = 300,
        string? duplicateMacs = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var service = new KubeMacPoolService(cluster, waitTimeSeconds, duplicateMacs, environment);
        await service.PrepareClusterAsync();
        await service.StartProcessAsync();
        return service;
    }

    /// <summary>Kills the process and starts it again, as upstream's tests delete the manager pod.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public Task StartAsync() => StartProcessAsync();

    /// <summary>Switches one webhook between opt-in and opt-out by editing the live configuration, as users do.</summary>
    public async Task SetOptModeAsync(string webhook, bool optIn)
    {
        var configuration = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(ConfigurationName);
        var entry = configuration.Webhooks.Single(w => w.Name == webhook);
        entry.NamespaceSelector.MatchExpressions = entry.NamespaceSelector.MatchExpressions
            .Where(e => e.Key != webhook)
            .Append(optIn
                ? new V1LabelSelectorRequirement { Key = webhook, OperatorProperty = "In", Values = ["allocate"] }
                : new V1LabelSelectorRequirement { Key = webhook, OperatorProperty = "NotIn", Values = ["ignore"] })
            .ToList();
        await Client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(configuration, ConfigurationName);
    }

    public Task SetRangeAsync(string start, string end) =>
        SetRangeConfigAsync(new Dictionary<string, string?> { ["RANGE_START"] = start, ["RANGE_END"] = end });

    public string LogTail(int lines = 40) =>
        File.Exists(_logPath) ? string.Join('\n', File.ReadLines(_logPath).TakeLast(lines)) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Ignore404(() => Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(ConfigurationName));
        await Ignore404(() => Client.CoreV1.DeleteNamespacedConfigMapAsync(RangeConfigMap, Namespace));
        await Ignore404(() => Client.CoreV1.DeleteNamespacedConfigMapAsync(StatusConfigMap, Namespace));
    }

    /// <summary>Sets (or with null removes) keys of the range ConfigMap, as an operator's merge patch does.</summary>
    public async Task SetRangeConfigAsync(IReadOnlyDictionary<string, string?> data)
    {
        var values = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in data)
        {
            values[key] = value;
        }

        var body = new System.Text.Json.Nodes.JsonObject { ["data"] = values };
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch), RangeConfigMap, Namespace);
    }

    private async Task PrepareClusterAsync()
    {
        await Ignore409(() => Client.CoreV1.CreateNamespaceAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta
            {
                Name = Namespace,
                Labels = new Dictionary<string, string> { [PodsWebhook] = "ignore", [VirtualMachinesWebhook] = "ignore" },
            },
        }));
        await Ignore404(() => Client.CoreV1.DeleteNamespacedConfigMapAsync(RangeConfigMap, Namespace));
        await Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = RangeConfigMap },
                Data = _duplicateMacs is null
                    ? new Dictionary<string, string> { ["RANGE_START"] = DefaultRangeStart, ["RANGE_END"] = DefaultRangeEnd }
                    : new Dictionary<string, string> { ["RANGE_START"] = DefaultRangeStart, ["RANGE_END"] = DefaultRangeEnd, ["DUPLICATE_MACS"] = _duplicateMacs },
            },
            Namespace);

        await Ignore404(() => Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(ConfigurationName));
        await Client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(new V1MutatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = ConfigurationName },
            Webhooks =
            [
                Webhook(PodsWebhook, "/mutate-pods", WebhookRules.Pods("CREATE")),
                Webhook(VirtualMachinesWebhook, "/mutate-virtualmachines", WebhookRules.VirtualMachines("CREATE", "UPDATE")),
                LauncherPodsWebhook(),
            ],
        });
    }

    private V1MutatingWebhook Webhook(string name, string path, V1RuleWithOperations rule) => new()
    {
        Name = name,
        AdmissionReviewVersions = ["v1", "v1beta1"],
        SideEffects = "NoneOnDryRun",
        FailurePolicy = "Fail",
        Rules = [rule],
        ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = $"https://127.0.0.1:{Port}{path}" },
        NamespaceSelector = new V1LabelSelector
        {
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "runlevel", OperatorProperty = "NotIn", Values = ["0", "1"] },
                new V1LabelSelectorRequirement { Key = "openshift.io/run-level", OperatorProperty = "NotIn", Values = ["0", "1"] },
                new V1LabelSelectorRequirement { Key = name, OperatorProperty = "NotIn", Values = ["ignore"] },
            ],
        },
    };

    /// <summary>Persistent IPs: virt-launcher pods only (objectSelector), as in config/default.</summary>
    private V1MutatingWebhook LauncherPodsWebhook()
    {
        var webhook = Webhook(LauncherPodsWebhookName, "/mutate-launcher-pods", WebhookRules.Pods("CREATE", "UPDATE"));
        webhook.SideEffects = "None";
        webhook.ObjectSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubevirt.io"] = "virt-launcher" } };
        return webhook;
    }

    private async Task StartProcessAsync()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            ManagerAssembly(), "--v=debug", $"--wait-time={_waitTimeSeconds}", "--webhook-address=127.0.0.1",
            $"--webhook-port={Port}", $"--kubeconfig={_cluster.KubeconfigPath}",
            $"--metrics-addr=127.0.0.1:{MetricsPort}",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["POD_NAMESPACE"] = Namespace;
        psi.Environment["RANGE_START"] = DefaultRangeStart;
        psi.Environment["RANGE_END"] = DefaultRangeEnd;
        if (_duplicateMacs is not null)
        {
            psi.Environment["DUPLICATE_MACS"] = _duplicateMacs;
        }

        foreach (var (name, value) in _environment)
        {
            psi.Environment[name] = value;
        }

        var log = new StreamWriter(_logPath, append: true) { AutoFlush = true };
        var started = Stopwatch.StartNew();
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"kubemacpool exited with {_process.ExitCode}:\n{LogTail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"https://127.0.0.1:{Port}/readyz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    LastStartup = started.Elapsed;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"kubemacpool did not become ready in 60 s:\n{LogTail()}");
    }

    /// <summary>The manager's build output beside this project's (same artifacts layout and configuration).</summary>
    public static string ManagerAssembly()
    {
        var explicitPath = Environment.GetEnvironmentVariable("KMP_MANAGER_DLL");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return explicitPath;
        }

        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(own.Parent!.Parent!.FullName, "KubeMacPool.Manager", own.Name, "kubemacpool.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("the manager build (set KMP_MANAGER_DLL)", path);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task Ignore404(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private static async Task Ignore409(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }
}
