using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>
/// The manager keeps one DHCP agent Deployment per IPPool in its namespace: rendered as the manual template, owned by
/// the pool (the real garbage collector deletes it), rolled only by a network or server change, and reported in the
/// pool's status. No kubelet and no Deployment controller run here: availability is written through the status
/// subresource, as the Deployment controller would.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class AgentDeploymentTests(ClusterFixture cluster, DhcpServiceFixture fixture)
    : IClassFixture<DhcpServiceFixture>, IAsyncLifetime
{
    private const string Namespace = KubeMacPoolService.Namespace;
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task A_pool_gets_a_well_formed_agent_the_api_server_accepts_and_AgentReady_follows_its_status()
    {
        Assert.NotNull(fixture.Service);
        var (ns, nad) = await NetworkAsync();
        var pool = TestCluster.UniqueName("pool");
        var created = await _k.CreatePoolAsync(DhcpObjects.Pool(pool, $"{ns}/{nad}", "10.60.0.0/24", "10.60.0.2"));
        var agent = await AgentAsync(pool);

        Assert.Equal("kubemacpool-dhcp-agent-" + pool, agent.Metadata.Name);
        var owner = Assert.Single(agent.Metadata.OwnerReferences);
        Assert.Equal(("kubemacpool.io/v1alpha1", "IPPool", pool, created["metadata"]!["uid"]!.GetValue<string>(), true),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal(1, agent.Spec.Replicas);
        Assert.Equal("Recreate", agent.Spec.Strategy.Type);
        Assert.All(agent.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, agent.Spec.Template.Metadata.Labels[l.Key]));
        Assert.Equal(pool, agent.Spec.Template.Metadata.Labels["kubemacpool.io/ip-pool"]);
        Assert.Equal(
            $$"""[{"name":"{{nad}}","namespace":"{{ns}}","interface":"eth1","ips":["10.60.0.2/24"]}]""",
            agent.Spec.Template.Metadata.Annotations["k8s.v1.cni.cncf.io/networks"]);

        var pod = agent.Spec.Template.Spec;
        Assert.Equal("kubemacpool-dhcp-agent", pod.ServiceAccountName);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.Equal(("net.ipv4.ip_unprivileged_port_start", "67"), (pod.SecurityContext.Sysctls.Single().Name, pod.SecurityContext.Sysctls.Single().Value));
        var container = Assert.Single(pod.Containers);
        Assert.Equal("quay.io/kubevirt/kubemacpool:latest", container.Image);
        Assert.Equal(["dhcp-agent", "--pool=" + pool, "--interface=eth1", "--health-port=8081"], container.Args);
        Assert.Equal(8081, container.Ports.Single(p => p.Name == "health").ContainerPort);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal(("10m", "48Mi"), (container.Resources.Requests["cpu"].ToString(), container.Resources.Requests["memory"].ToString()));
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        await AssertAcceptedUnderRestrictedPodSecurityAsync(agent);

        var progressing = await PoolAsync(pool, p => DhcpObjects.Condition(p, "AgentReady") == "False");
        Assert.Equal(agent.Metadata.Name, progressing["status"]!["agent"]!.GetValue<string>());
        Assert.Equal("Progressing", DhcpObjects.Condition(progressing, "AgentReady", "reason"));

        await SetAvailableAsync(agent, true);
        var ready = await PoolAsync(pool, p => DhcpObjects.Condition(p, "AgentReady") == "True");
        Assert.Equal("True", DhcpObjects.Condition(ready, "Ready"));
        Assert.Equal(253, ready["status"]!["available"]!.GetValue<long>());

        await SetAvailableAsync(agent, false);
        var down = await PoolAsync(pool, p => DhcpObjects.Condition(p, "AgentReady") == "False");
        Assert.Equal("MinimumReplicasUnavailable", DhcpObjects.Condition(down, "AgentReady", "reason"));
        Assert.Equal("True", DhcpObjects.Condition(down, "Ready"));
    }

    [Fact]
    public async Task A_network_or_server_change_rolls_the_agent_and_an_option_edit_does_not()
    {
        var (ns, nad) = await NetworkAsync();
        var other = TestCluster.UniqueName("net");
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, other, TestCluster.BridgeCniConfig(other));
        var pool = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(pool, $"{ns}/{nad}", "10.61.0.0/24", "10.61.0.2"));
        var first = await AgentAsync(pool);

        var edited = await _k.PatchPoolAsync(pool, new JsonObject { ["spec"] = new JsonObject { ["dns"] = new JsonArray("10.61.0.53"), ["leaseTimeSeconds"] = 600 } });
        var generation = edited["metadata"]!["generation"]!.GetValue<long>();
        await PoolAsync(pool, p => p["status"]?["conditions"]?.AsArray().Any(c =>
            c?["type"]?.GetValue<string>() == "AgentReady" && c["observedGeneration"]?.GetValue<long>() == generation) == true);
        var unchanged = await _k.Client.AppsV1.ReadNamespacedDeploymentAsync(first.Metadata.Name, Namespace, cancellationToken: _k.CancellationToken);
        Assert.Equal(first.Metadata.Generation, unchanged.Metadata.Generation);
        Assert.Equal(first.Metadata.ResourceVersion, unchanged.Metadata.ResourceVersion);

        await _k.PatchPoolAsync(pool, new JsonObject { ["spec"] = new JsonObject { ["serverIP"] = "10.61.0.3" } });
        var moved = await AgentAsync(pool, d => Networks(d).Contains("10.61.0.3/24", StringComparison.Ordinal));
        Assert.True(moved.Metadata.Generation > first.Metadata.Generation);
        Assert.Equal(first.Metadata.Uid, moved.Metadata.Uid);

        await _k.PatchPoolAsync(pool, new JsonObject { ["spec"] = new JsonObject { ["network"] = $"{ns}/{other}" } });
        var renetworked = await AgentAsync(pool, d => Networks(d).Contains($"\"name\":\"{other}\"", StringComparison.Ordinal));
        Assert.True(renetworked.Metadata.Generation > moved.Metadata.Generation);
    }

    [Fact]
    public async Task Deleting_the_pool_deletes_its_agent_through_the_garbage_collector()
    {
        var (ns, nad) = await NetworkAsync();
        var pool = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(pool, $"{ns}/{nad}", "10.62.0.0/24", "10.62.0.2"));
        var agent = await AgentAsync(pool);

        await _k.Client.CustomObjects.DeleteClusterCustomObjectAsync("kubemacpool.io", "v1alpha1", "ippools", pool, cancellationToken: _k.CancellationToken);
        await _k.EventuallyAsync(
            async () => await TestCluster.TryAsync(() => _k.Client.AppsV1.ReadNamespacedDeploymentAsync(agent.Metadata.Name, Namespace)) is null,
            "the garbage collector deletes the agent of the deleted pool");
    }

    [Fact]
    public async Task A_pool_annotated_external_has_no_agent_and_no_agent_status()
    {
        var (ns, nad) = await NetworkAsync();
        var pool = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(pool, $"{ns}/{nad}", "10.63.0.0/24", "10.63.0.2"));
        var agent = await AgentAsync(pool);
        await PoolAsync(pool, p => DhcpObjects.Condition(p, "AgentReady") is not null);

        await _k.PatchPoolAsync(pool, new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["kubemacpool.io/dhcp-agent"] = "external" } },
        });
        await _k.EventuallyAsync(
            async () => await TestCluster.TryAsync(() => _k.Client.AppsV1.ReadNamespacedDeploymentAsync(agent.Metadata.Name, Namespace)) is null,
            "the agent of a pool that opted out is deleted");
        var external = await PoolAsync(pool, p => DhcpObjects.Condition(p, "AgentReady") is null && p["status"]?["agent"] is null);
        Assert.Equal("True", DhcpObjects.Condition(external, "Ready"));
    }

    [Fact]
    public async Task A_pool_on_a_missing_network_says_why_and_gets_its_agent_when_the_network_appears()
    {
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        var nad = TestCluster.UniqueName("net");
        var pool = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(pool, $"{ns}/{nad}", "10.64.0.0/24", "10.64.0.2"));
        var waiting = await PoolAsync(pool, p => DhcpObjects.Condition(p, "AgentReady", "reason") == "NetworkNotFound");
        Assert.Contains($"NetworkAttachmentDefinition {ns}/{nad} does not exist", DhcpObjects.Condition(waiting, "AgentReady", "message"), StringComparison.Ordinal);
        await _k.EventuallyAsync(async () =>
            (await _k.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pool}", cancellationToken: _k.CancellationToken))
                .Items.Any(e => e.Reason == "DHCPAgentNotCreated" && e.Type == "Warning"),
            "a Warning Event says the agent could not be created");

        await _k.CreateNetworkAttachmentDefinitionAsync(ns, nad, TestCluster.BridgeCniConfig(nad));
        await AgentAsync(pool);
    }

    private async Task<(string Namespace, string Nad)> NetworkAsync()
    {
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        var nad = TestCluster.UniqueName("net");
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, nad, TestCluster.BridgeCniConfig(nad));
        return (ns, nad);
    }

    private Task<V1Deployment> AgentAsync(string pool, Func<V1Deployment, bool>? until = null) =>
        Eventually.ValueAsync(
            async () => await TestCluster.TryAsync(() => _k.Client.AppsV1.ReadNamespacedDeploymentAsync("kubemacpool-dhcp-agent-" + pool, Namespace)),
            d => d is not null && (until is null || until(d)),
            $"the agent of pool {pool}",
            describe: d => d is null ? "(absent)" : KubernetesJson.Serialize(d))!;

    private Task<JsonObject> PoolAsync(string pool, Func<JsonObject, bool> until) =>
        Eventually.ValueAsync(() => _k.GetPoolAsync(pool), until, $"pool {pool}", describe: p => p.ToJsonString());

    private static string Networks(V1Deployment d) => d.Spec.Template.Metadata.Annotations["k8s.v1.cni.cncf.io/networks"];

    private Task<V1Deployment> SetAvailableAsync(V1Deployment agent, bool available)
    {
        var status = new JsonObject
        {
            ["observedGeneration"] = agent.Metadata.Generation,
            ["replicas"] = 1,
            ["updatedReplicas"] = 1,
            ["readyReplicas"] = available ? 1 : 0,
            ["availableReplicas"] = available ? 1 : 0,
            ["unavailableReplicas"] = available ? 0 : 1,
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Available",
                ["status"] = available ? "True" : "False",
                ["reason"] = available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                ["message"] = available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
            }),
        };
        return _k.Client.AppsV1.PatchNamespacedDeploymentStatusAsync(
            TestCluster.MergePatch(new JsonObject { ["status"] = status }), agent.Metadata.Name, Namespace, cancellationToken: _k.CancellationToken);
    }

    /// <summary>The rendered object, server fields removed, in a namespace that warns on restricted violations: a dry run.</summary>
    private async Task AssertAcceptedUnderRestrictedPodSecurityAsync(V1Deployment agent)
    {
        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.SetNamespaceLabelAsync(ns, "pod-security.kubernetes.io/warn", "restricted");
        var copy = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(agent));
        copy.Metadata = new V1ObjectMeta { Name = copy.Metadata.Name, NamespaceProperty = ns, Labels = copy.Metadata.Labels, Annotations = copy.Metadata.Annotations };
        copy.Status = null;
        var manifest = Path.Combine(Directory.CreateTempSubdirectory("kmp-agent-").FullName, "agent.yaml");
        await File.WriteAllTextAsync(manifest, KubernetesYaml.Serialize(copy), _k.CancellationToken);
        var applied = await ProcessRunner.RunAsync(
            "kubectl", ["--kubeconfig", cluster.KubeconfigPath, "apply", "--dry-run=server", "-f", manifest], TimeSpan.FromMinutes(1));
        Assert.True(applied.Succeeded, applied.Describe());
        var output = string.Join('\n', applied.OutputLines);
        Assert.Contains($"deployment.apps/{agent.Metadata.Name} created (server dry run)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("would violate PodSecurity", output, StringComparison.Ordinal);
    }
}
