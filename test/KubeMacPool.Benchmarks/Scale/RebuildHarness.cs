using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// Startup rebuild at scale against a real API server (<c>--scale</c>; KUBECONFIG from <c>cluster/up.sh</c>):
/// stores N VirtualMachines (2 MACs each) and N pods (1 MAC each) in 4 namespaces, times a plain paged LIST of
/// namespaces, pods and VMs (the floor), then starts the manager and times it to ready, and reads its RSS.
/// </summary>
public static class RebuildHarness
{
    private const int Namespaces = 4;

    public static async Task RunAsync(int count, string managerDll)
    {
        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG") ?? throw new InvalidOperationException("set KUBECONFIG (. cluster/kubectl.sh)");
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await SeedAsync(client, count);

        var lists = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            lists.Add(await TimePlainListAsync(client));
        }

        Console.WriteLine($"plain paged LIST (namespaces, pods, VMs; limit 500): median {Median(lists):F0} ms of {string.Join(", ", lists.Select(l => l.ToString("F0")))}");

        // The manager reads its opt modes from this configuration (both opt-out here). Nothing calls it during the
        // measurement, and failurePolicy Ignore keeps the cluster usable while no manager runs.
        await client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(new V1MutatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = "kubemacpool-mutator" },
            Webhooks = [OptOut("mutatepods.kubemacpool.io", "", "pods"), OptOut("mutatevirtualmachines.kubemacpool.io", "kubevirt.io", "virtualmachines")],
        });
        var starts = new List<(double Ms, double RssMiB)>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                starts.Add(await TimeManagerStartAsync(managerDll, kubeconfig));
            }
        }
        finally
        {
            await client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync("kubemacpool-mutator");
        }

        Console.WriteLine($"manager start to ready: median {Median(starts.Select(s => s.Ms).ToList()):F0} ms of {string.Join(", ", starts.Select(s => s.Ms.ToString("F0")))}; RSS 3 s after ready {starts.Max(s => s.RssMiB):F0} MiB");
    }

    private static async Task SeedAsync(Kubernetes client, int count)
    {
        var existing = (await client.CoreV1.ListNamespacedPodAsync($"kmp-scale{count}-0", limit: 1)).Items.Count;
        if (existing > 0)
        {
            Console.WriteLine($"objects already seeded (namespace kmp-scale{count}-0 has pods); reusing them");
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        for (var n = 0; n < Namespaces; n++)
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = $"kmp-scale{count}-{n}" } });
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
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(vm, "kubevirt.io", "v1", ns, "virtualmachines", cancellationToken: ct);
            await client.CoreV1.CreateNamespacedPodAsync(
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
                cancellationToken: ct);
        });
        Console.WriteLine($"seeded {count} VMs and {count} pods in {stopwatch.Elapsed.TotalSeconds:F0} s");
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

    private static async Task<double> TimePlainListAsync(Kubernetes client)
    {
        var stopwatch = Stopwatch.StartNew();
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListNamespaceAsync(limit: 500, continueParameter: token);
            token = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));

        do
        {
            var page = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 500, continueParameter: token);
            token = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));

        do
        {
            var page = await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<JsonObject>("kubevirt.io", "v1", "virtualmachines", limit: 500, continueParameter: token);
            token = page["metadata"]?["continue"]?.GetValue<string>();
        }
        while (!string.IsNullOrEmpty(token));

        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static async Task<(double Ms, double RssMiB)> TimeManagerStartAsync(string managerDll, string kubeconfig)
    {
        var certDir = Directory.CreateTempSubdirectory("kmp-scale-certs-").FullName;
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
            await File.WriteAllTextAsync(Path.Combine(certDir, "tls.crt"), cert.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(certDir, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        }

        var port = 20000 + Random.Shared.Next(20000);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { managerDll, "--webhook-address=127.0.0.1", $"--webhook-port={port}", $"--cert-dir={certDir}", $"--kubeconfig={kubeconfig}" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["POD_NAMESPACE"] = "default";
        psi.Environment["RANGE_START"] = "02:00:00:00:00:00";
        psi.Environment["RANGE_END"] = "02:FF:FF:FF:FF:FF";
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (stopwatch.Elapsed < TimeSpan.FromMinutes(5))
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"https://127.0.0.1:{port}/readyz"));
                    if (response.IsSuccessStatusCode)
                    {
                        var ms = stopwatch.Elapsed.TotalMilliseconds;

                        // RSS once settled: the manager gives back its startup garbage right after it is ready.
                        await Task.Delay(TimeSpan.FromSeconds(3));
                        process.Refresh();
                        return (ms, process.WorkingSet64 / 1024.0 / 1024.0);
                    }
                }
                catch (HttpRequestException)
                {
                }

                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the manager exited with {process.ExitCode}");
                }

                await Task.Delay(50);
            }

            throw new TimeoutException("the manager was not ready after 5 minutes");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(certDir, recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
