using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// Startup rebuild at scale against a real API server (<c>--scale</c>; KUBECONFIG from <c>cluster/up.sh</c>):
/// stores N VirtualMachines (2 MACs each) and N pods (1 MAC each) in 4 namespaces, times a plain paged LIST of
/// namespaces, pods and VMs (the floor), then starts each manager build given and times it to ready, reads its RSS and
/// the WATCH streams it opened (counted by the API server), and times SIGKILL → ready of a fresh process.
/// </summary>
public static class RebuildHarness
{
    private const int Namespaces = 4;

    /// <param name="count">VMs and pods to seed.</param>
    /// <param name="builds">Manager builds to compare in one sitting (label, kubemacpool.dll), measured alternately.</param>
    public static async Task RunAsync(int count, IReadOnlyList<(string Label, string Dll)> builds)
    {
        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG") ?? throw new InvalidOperationException("set KUBECONFIG (. cluster/kubectl.sh)");
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await SeedAsync(client, count);

        // The floor the targets are set against is the plain (consistent, paged) LIST; the watch-cache LIST
        // (resourceVersion=0, what the manager's first pod and VM lists ask for) shows what is left of a start beside it.
        var lists = new List<double>();
        var cached = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            lists.Add(await TimePlainListAsync(client, resourceVersion: null));
            cached.Add(await TimePlainListAsync(client, resourceVersion: "0"));
        }

        var floor = Median(lists);
        var cachedFloor = Median(cached);
        Console.WriteLine($"plain paged LIST (namespaces, pods, VMs; limit 500): median {floor:F0} ms of {string.Join(", ", lists.Select(l => l.ToString("F0")))}");
        Console.WriteLine($"watch-cache LIST (the same, resourceVersion=0): median {cachedFloor:F0} ms of {string.Join(", ", cached.Select(l => l.ToString("F0")))}");

        // The manager reads its opt modes from this configuration (both opt-out here). Nothing calls it during the
        // measurement, and failurePolicy Ignore keeps the cluster usable while no manager runs. One left over from
        // a manager started by hand (or an interrupted run) is replaced, so the harness can be run again at any time.
        await DeleteMutatorAsync(client);
        await client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(new V1MutatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = "kubemacpool-mutator" },
            Webhooks = [OptOut("mutatepods.kubemacpool.io", "", "pods"), OptOut("mutatevirtualmachines.kubemacpool.io", "kubevirt.io", "virtualmachines")],
        });
        var certDir = ManagerProcess.CreateCertificateDirectory();
        try
        {
            var starts = builds.ToDictionary(b => b.Label, _ => new List<(double Ms, double RssMiB)>());
            var watches = new Dictionary<string, string>();
            for (var round = 0; round < 3; round++)
            {
                foreach (var (label, dll) in builds)
                {
                    var (ms, rss, added) = await FreshStartAsync(client, dll, kubeconfig, certDir);
                    starts[label].Add((ms, rss));
                    watches[label] = added;
                }
            }

            foreach (var (label, _) in builds)
            {
                var median = Median(starts[label].Select(s => s.Ms).ToList());
                Console.WriteLine($"[{label}] manager start to ready: median {median:F0} ms ({median / floor:F2}x the plain LIST, {median / cachedFloor:F2}x the watch-cache LIST) of {string.Join(", ", starts[label].Select(s => s.Ms.ToString("F0")))}; " +
                                  $"RSS 3 s after ready: median {Median(starts[label].Select(s => s.RssMiB).ToList()):F0} MiB, max {starts[label].Max(s => s.RssMiB):F0} MiB");
                Console.WriteLine($"[{label}] WATCH streams the manager opened (API server's apiserver_longrunning_gauge): {watches[label]}");
            }

            foreach (var (label, dll) in builds)
            {
                var kills = await KillToReadyAsync(dll, kubeconfig, certDir, 5);
                Console.WriteLine($"[{label}] SIGKILL to ready of a new process: median {Median(kills):F0} ms of {string.Join(", ", kills.Select(k => k.ToString("F0")))}");
            }
        }
        finally
        {
            Directory.Delete(certDir, recursive: true);
            await DeleteMutatorAsync(client);
        }
    }

    private static async Task DeleteMutatorAsync(Kubernetes client)
    {
        try
        {
            await client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync("kubemacpool-mutator");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Nothing to replace.
        }
    }

    private static async Task<(double Ms, double RssMiB, string Watches)> FreshStartAsync(Kubernetes client, string dll, string kubeconfig, string certDir)
    {
        var before = await ApiServerWatches.ReadAsync(client);
        var port = ManagerProcess.FreePort();
        var stopwatch = Stopwatch.StartNew();
        await using var manager = ManagerProcess.Start(dll, kubeconfig, certDir, port);
        var ready = await manager.WaitReadyAsync(port, stopwatch);

        // RSS once settled: the manager gives back its startup garbage right after it is ready.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var rss = manager.RssMiB();
        var added = ApiServerWatches.Delta(before, await ApiServerWatches.ReadAsync(client));
        return (ready.TotalMilliseconds, rss, added);
    }

    /// <summary>A ready manager is SIGKILLed and a new one started at once on the same port: kill to ready, n times.</summary>
    private static async Task<List<double>> KillToReadyAsync(string dll, string kubeconfig, string certDir, int n)
    {
        var port = ManagerProcess.FreePort();
        var results = new List<double>();
        var running = ManagerProcess.Start(dll, kubeconfig, certDir, port);
        await running.WaitReadyAsync(port, Stopwatch.StartNew());
        for (var i = 0; i < n; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var stopwatch = Stopwatch.StartNew();
            await running.KillAsync();
            await running.DisposeAsync();
            running = ManagerProcess.Start(dll, kubeconfig, certDir, port);
            results.Add((await running.WaitReadyAsync(port, stopwatch)).TotalMilliseconds);
        }

        await running.DisposeAsync();
        return results;
    }

    private static async Task SeedAsync(Kubernetes client, int count)
    {
        // Complete when the last VM and the last pod exist (removing the VM CRD, as a functional test does, takes the
        // VMs with it but leaves the pods); otherwise whatever is missing is created.
        var lastNamespace = $"kmp-scale{count}-{(count - 1) % Namespaces}";
        if (await ExistsAsync(() => client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", lastNamespace, "virtualmachines", $"vm-{count - 1}"))
            && await ExistsAsync(() => client.CoreV1.ReadNamespacedPodAsync($"pod-{count - 1}", lastNamespace)))
        {
            Console.WriteLine($"objects already seeded (vm-{count - 1} and pod-{count - 1} exist); reusing them");
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        for (var n = 0; n < Namespaces; n++)
        {
            await IgnoreConflictAsync(() => client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = $"kmp-scale{count}-{n}" } }));
        }

        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var ns = $"kmp-scale{count}-{i % Namespaces}";
            var vm = JsonNode.Parse($$$"""
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"vm-{{{i}}}","annotations":{"kubemacpool.io/transaction-timestamp":"2026-01-01T00:00:00Z"}},
                 "spec":{"runStrategy":"Halted","template":{"spec":{"domain":{"devices":{"interfaces":[
                   {"name":"default","masquerade":{},"macAddress":"{{{Mac(2 * i)}}}"},{"name":"br1","bridge":{},"macAddress":"{{{Mac(2 * i + 1)}}}"}]}},
                   "networks":[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}}]} } } }
                """)!;
            await IgnoreConflictAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(vm, "kubevirt.io", "v1", ns, "virtualmachines", cancellationToken: ct));
            await IgnoreConflictAsync(() => client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = $"pod-{i}",
                        Annotations = new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/networks"] = $$"""[{"name":"br1","mac":"{{Mac(1_000_000 + i)}}"}]""" },
                    },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "registry.invalid/none:1" }] },
                },
                ns,
                cancellationToken: ct));
        });
        Console.WriteLine($"seeded {count} VMs and {count} pods in {stopwatch.Elapsed.TotalSeconds:F0} s");
    }

    private static async Task<bool> ExistsAsync(Func<Task> read)
    {
        try
        {
            await read();
            return true;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task IgnoreConflictAsync(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Seeded by an earlier run.
        }
    }

    private static V1MutatingWebhook OptOut(string name, string group, string resource) => new()
    {
        Name = name,
        AdmissionReviewVersions = ["v1"],
        SideEffects = "None",
        FailurePolicy = "Ignore",
        ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = "https://127.0.0.1:1/unused" },
        Rules = [new V1RuleWithOperations { ApiGroups = [group], ApiVersions = ["v1"], Resources = [resource], Operations = ["CREATE"] }],
        NamespaceSelector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = name, OperatorProperty = "NotIn", Values = ["ignore"] }],
        },
    };

    private static string Mac(long n) => new KubeMacPool.Core.Addressing.MacAddress(0x02_50_00_00_00_00UL + (ulong)n).ToString();

    private static async Task<double> TimePlainListAsync(Kubernetes client, string? resourceVersion)
    {
        var stopwatch = Stopwatch.StartNew();
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListNamespaceAsync(limit: 500, continueParameter: token, resourceVersion: token is null ? resourceVersion : null);
            token = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));

        do
        {
            var page = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 500, continueParameter: token, resourceVersion: token is null ? resourceVersion : null);
            token = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));

        do
        {
            var page = await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<JsonObject>("kubevirt.io", "v1", "virtualmachines", limit: 500, continueParameter: token, resourceVersion: token is null ? resourceVersion : null);
            token = page["metadata"]?["continue"]?.GetValue<string>();
        }
        while (!string.IsNullOrEmpty(token));

        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
