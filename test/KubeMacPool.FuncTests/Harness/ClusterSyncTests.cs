using System.Globalization;
using System.Net;
using k8s;
using KubeMacPool.Core.Addressing;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;

namespace KubeMacPool.FuncTests.Harness;

/// <summary>
/// <c>cluster/sync.sh</c> (what <c>make cluster-sync</c> runs) against the test cluster: twice in a row, then once with a
/// manager that cannot start. After each run the manager in the pid file answers /readyz, every webhook of
/// kubemacpool-mutator and kubemacpool-validator calls it by url, and a VM gets a MAC; a second run replaces the process,
/// a failed run keeps the previous one serving.
/// </summary>
/// <remarks>
/// The script uses the names the service tests use (kubemacpool-system, kubemacpool-mutator): this collection runs one
/// test at a time, and the test ends with <c>cluster/clean.sh</c> (manager stopped, both webhook configurations deleted)
/// and deletes kubemacpool-system when it did not exist before. A manager from a developer's own <c>make
/// cluster-sync</c> on this cluster is replaced and then stopped as well (the service tests replace its webhooks anyway).
/// </remarks>
[Collection(ClusterTestGroup.Name)]
public sealed class ClusterSyncTests(ClusterFixture cluster)
{
    private const string MutatorName = "kubemacpool-mutator";
    private const string ValidatorName = "kubemacpool-validator";
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromMinutes(3);

    [Fact(Timeout = 600_000)]
    public async Task Sync_twice_replaces_the_manager_and_a_failed_sync_keeps_the_previous_one_serving()
    {
        Assert.SkipUnless(cluster.IsLocal, "cluster/sync.sh runs the manager as a process on 127.0.0.1 of the local cluster");
        var repo = cluster.Repository!;
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        var namespaceExisted = await TestCluster.TryAsync(() => k.Client.CoreV1.ReadNamespaceAsync(
            KubeMacPoolService.Namespace, cancellationToken: k.CancellationToken)) is not null;
        var ns = await k.CreateNamespaceAsync(new Dictionary<string, string> { [KubeMacPoolService.VirtualMachinesWebhook] = "allocate" });
        try
        {
            var first = await SyncAsync(repo);
            Assert.True(first.Succeeded, first.Describe());
            var (pid1, url1) = await AssertServingAsync(k, repo, ns.Name, "vm-1");

            var second = await SyncAsync(repo);
            Assert.True(second.Succeeded, second.Describe());
            var (pid2, url2) = await AssertServingAsync(k, repo, ns.Name, "vm-2");
            Assert.NotEqual(pid1, pid2);
            Assert.NotEqual(url1, url2);
            Assert.False(IsManagerProcess(pid1), $"the first manager (pid {pid1}) still runs after the second sync");

            // An invalid flag stops the new manager at startup: the run fails, the second manager keeps serving.
            var failed = await SyncAsync(repo, ("KMP_MANAGER_ARGS", "--tls-min-version=VersionTLS99"));
            Assert.False(failed.Succeeded, "a sync whose manager cannot start succeeded:\n" + failed.Describe());
            Assert.Contains(failed.OutputLines, l => l.Contains("did not become ready", StringComparison.Ordinal));
            var (pid3, url3) = await AssertServingAsync(k, repo, ns.Name, "vm-3");
            Assert.Equal(pid2, pid3);
            Assert.Equal(url2, url3);
        }
        finally
        {
            var clean = await ProcessRunner.RunAsync(
                "bash", [Path.Combine(repo.Root, "cluster", "clean.sh")], TimeSpan.FromMinutes(1), repo.Root, SyncEnvironment(), CancellationToken.None);
            Assert.True(clean.Succeeded, clean.Describe());
            if (!namespaceExisted)
            {
                await DeleteManagerNamespaceAsync(k);
            }
        }
    }

    private static Task<ProcessResult> SyncAsync(RepositoryPaths repo, params (string Name, string Value)[] extra)
    {
        var environment = SyncEnvironment();
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        // --no-build with the manager this test project was built with: seconds, not a build per run.
        return ProcessRunner.RunAsync(
            "bash", [Path.Combine(repo.Root, "cluster", "sync.sh"), "--no-build"], SyncTimeout, repo.Root, environment,
            TestContext.Current.CancellationToken);
    }

    private static Dictionary<string, string?> SyncEnvironment() => new()
    {
        [ClusterFixture.ProviderVariable] = "local",
        ["KMP_MANAGER_DLL"] = KubeMacPoolService.ManagerAssembly(),
        ["KMP_MANAGER_ARGS"] = null,
        ["KMP_WEBHOOK_PORT"] = null,
        ["KMP_METRICS_PORT"] = null,
    };

    /// <summary>Checks the manager of the pid file end to end and returns its pid and webhook URL.</summary>
    private static async Task<(int Pid, string Url)> AssertServingAsync(TestCluster k, RepositoryPaths repo, string ns, string vmName)
    {
        var env = ClusterFixture.ReadEndpointEnv(repo) ?? throw new InvalidOperationException($"{repo.EndpointEnvFile} is missing");
        Assert.True(env.TryGetValue("KMP_WEBHOOK_URL", out var url), $"no KMP_WEBHOOK_URL in {repo.EndpointEnvFile}");
        Assert.Single(File.ReadLines(repo.EndpointEnvFile), l => l.StartsWith("KMP_WEBHOOK_URL=", StringComparison.Ordinal));
        var pidFile = Path.Combine(repo.ClusterStateDirectory, "pids", "kubemacpool.pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        Assert.True(IsManagerProcess(pid), $"pid {pid} of {pidFile} is not a running kubemacpool");

        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        using (var ready = await http.GetAsync(new Uri(url + "/readyz"), k.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var mutator = await k.Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(MutatorName, cancellationToken: k.CancellationToken);
        var validator = await k.Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(ValidatorName, cancellationToken: k.CancellationToken);
        var clientConfigs = mutator.Webhooks.Select(w => (w.Name, w.ClientConfig))
            .Concat(validator.Webhooks.Select(w => (w.Name, w.ClientConfig)))
            .ToList();
        Assert.Equal(5, clientConfigs.Count);
        Assert.All(clientConfigs, c =>
        {
            Assert.Null(c.ClientConfig.Service);
            Assert.StartsWith(url + "/", c.ClientConfig.Url, StringComparison.Ordinal);
            Assert.NotEmpty(c.ClientConfig.CaBundle ?? []);
        });

        var vm = await k.CreateVirtualMachineAsync(ns, Vms.Bridged(vmName, ("br1", null)));
        var mac = Assert.Single(Vms.Macs(vm));
        Assert.True(MacAddress.TryParse(mac, out _), $"VM {ns}/{vmName} got no valid MAC: '{mac}'");
        return (pid, url);
    }

    /// <summary>Alive and a kubemacpool process (a zombie, whose cmdline is empty, is not).</summary>
    private static bool IsManagerProcess(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("kubemacpool.dll", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Leaves the namespace to the service tests as they found it: absent (they create it with their labels).</summary>
    private static async Task DeleteManagerNamespaceAsync(TestCluster k)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await k.Client.CoreV1.DeleteNamespaceAsync(KubeMacPoolService.Namespace, cancellationToken: cts.Token);
        }
        catch (Exception ex) when (KubernetesApiException.IsNotFoundError(ex))
        {
            return;
        }

        await Eventually.TrueAsync(
            async () => await TestCluster.TryAsync(() => k.Client.CoreV1.ReadNamespaceAsync(KubeMacPoolService.Namespace, cancellationToken: cts.Token)) is null,
            $"namespace {KubeMacPoolService.Namespace} to be deleted",
            TimeSpan.FromSeconds(90),
            cancellationToken: cts.Token);
    }
}
