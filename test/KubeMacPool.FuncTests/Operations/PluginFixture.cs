using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.Plugin;

namespace KubeMacPool.FuncTests.Operations;

/// <summary>
/// A cluster seeded for <c>kubectl macpool</c>: the manager (duplicates allowed, so a collision can exist), team A
/// with a VM, its running VMI and a pod, team B with a running pod that collides with A's VMI. Two ServiceAccounts of
/// team A with namespace-scoped RBAC: one may also read the published pool status, the other may not. The plugin
/// runs in-process against kubeconfig files written for each identity.
/// </summary>
public sealed class PluginFixture(ClusterFixture cluster) : IAsyncLifetime
{
    public const string SharedMac = "02:00:00:00:a0:01";
    public const string OutsideMac = "0a:00:00:00:00:01";
    private readonly string _suffix = TestCluster.UniqueName("kmp-plugin");
    private KubeMacPoolService? _service;

    public string TeamA => _suffix + "-a";

    public string TeamB => _suffix + "-b";

    public string AdminKubeconfig => cluster.KubeconfigPath;

    public string TeamKubeconfig { get; private set; } = "";

    public string NoStatusKubeconfig { get; private set; } = "";

    private IKubernetes Client => cluster.Client;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(cluster.IsLocal, "the manager runs as a process on 127.0.0.1, which only the local control plane can call");
        _service = await KubeMacPoolService.StartAsync(cluster, duplicateMacs: "allow");
        await using var k = new TestCluster(cluster, TestContext.Current.CancellationToken);
        foreach (var ns in new[] { TeamA, TeamB })
        {
            await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["kubemacpool-functest"] = "true" } } });
            await k.WaitForDefaultServiceAccountAsync(ns);
        }

        await k.CreateVirtualMachineAsync(TeamA, Service.Vms.Bridged("vm-a", ("br1", "02-00-00-00-A0-01")));
        await k.CreateVirtualMachineInstanceAsync(TeamA, JsonNode.Parse("""
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"vm-a"},
             "spec":{"domain":{"devices":{"interfaces":[{"name":"br1","bridge":{},"macAddress":"02:00:00:00:a0:01"}]},"resources":{"requests":{"memory":"128Mi"}}},
                     "networks":[{"name":"br1","multus":{"networkName":"br1"}}]}}
            """)!.AsObject());
        await k.PatchCustomObjectStatusAsync(CustomResources.VirtualMachineInstances, TeamA, "vm-a", TestCluster.MergePatch(JsonNode.Parse("""
            {"status":{"phase":"Running","interfaces":[{"name":"br1","mac":"02:00:00:00:a0:01"}]}}
            """)!));
        await RunningPodAsync(k, TeamA, "pod-a", $$"""[{"name":"net1","mac":"{{OutsideMac}}"}]""");
        await RunningPodAsync(k, TeamB, "pod-b", """[{"name":"net1","mac":"0200.0000.a001"}]""");

        TeamKubeconfig = await ScopedIdentityAsync("macpool-reader", statusAccess: true);
        NoStatusKubeconfig = await ScopedIdentityAsync("macpool-blind", statusAccess: false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in new[] { TeamA, TeamB })
        {
            await Ignore(() => Client.CoreV1.DeleteNamespaceAsync(ns));
        }

        await Ignore(() => Client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(_suffix, KubeMacPoolService.Namespace));
        await Ignore(() => Client.RbacAuthorizationV1.DeleteNamespacedRoleAsync(_suffix, KubeMacPoolService.Namespace));
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        foreach (var file in new[] { TeamKubeconfig, NoStatusKubeconfig }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs <c>kubectl macpool</c> in-process; returns its exit code, stdout and stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await PluginApp.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task RunningPodAsync(TestCluster k, string ns, string name, string networks)
    {
        await k.CreatePodAsync(ns, TestCluster.NewPod(name, annotations: new Dictionary<string, string>
        {
            ["k8s.v1.cni.cncf.io/networks"] = networks,
            ["k8s.v1.cni.cncf.io/network-status"] = "[]",
        }));
        await k.SetPodPhaseAsync(ns, name, "Running");
    }

    /// <summary>A ServiceAccount of team A that may list VMs, VMIs and pods in team A only, as a kubeconfig file.</summary>
    private async Task<string> ScopedIdentityAsync(string name, bool statusAccess)
    {
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, TeamA);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(
            new V1Role
            {
                Metadata = new V1ObjectMeta { Name = name },
                Rules =
                [
                    new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list"] },
                    new V1PolicyRule { ApiGroups = ["kubevirt.io"], Resources = ["virtualmachines", "virtualmachineinstances"], Verbs = ["get", "list"] },
                ],
            },
            TeamA);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding(name, name, TeamA), TeamA);
        if (statusAccess)
        {
            await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(
                new V1Role
                {
                    Metadata = new V1ObjectMeta { Name = _suffix },
                    Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = [KubeMacPoolService.StatusConfigMap], Verbs = ["get"] }],
                },
                KubeMacPoolService.Namespace);
            await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding(_suffix, name, TeamA), KubeMacPoolService.Namespace);
        }

        var token = (await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 } }, name, TeamA)).Status.Token;
        return WriteKubeconfig(name, cluster.ApiServerUrl, token, TeamA);
    }

    public static string WriteKubeconfig(string name, string server, string token, string ns)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: "{server}"
                insecure-skip-tls-verify: true
            users:
            - name: {name}
              user:
                token: "{token}"
            contexts:
            - name: {name}
              context:
                cluster: test
                user: {name}
                namespace: {ns}
            current-context: {name}
            """);
        return path;
    }

    private static V1RoleBinding Binding(string name, string serviceAccount, string serviceAccountNamespace) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = name },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = serviceAccountNamespace }],
    };

    private static async Task Ignore(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (KubernetesApiException.IsNotFoundError(e))
        {
        }
    }
}
