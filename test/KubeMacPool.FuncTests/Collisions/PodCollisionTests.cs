using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// Spec §8.1 C (pod_collision_test.go): collisions between pods' Multus MACs, duplicates admitted (policy allow); the
/// scenarios shared with VMIs are in <see cref="SameKindCollisionTests"/>.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class PodCollisionTests(ClusterFixture cluster, CollisionServiceFixture fixture)
    : SameKindCollisionTests(cluster, fixture), IClassFixture<CollisionServiceFixture>
{
    protected override string Kind => "pod";

    protected override string Webhook => CollisionScenario.PodsWebhook;

    protected override string MacMiddle => "00:00:00:bb";

    protected override Task<RunningObject> RunningAsync(string ns, string name, params (string Network, string Mac)[] nics) =>
        S.RunningPodAsync(ns, name, nics);

    [Fact]
    public async Task A_pod_counts_only_once_multus_reports_network_status_and_while_it_runs()
    {
        const string Mac = "02:00:00:00:bb:80";
        var a = await S.RunningPodAsync(Test.Name, "pod-a", ("net1", Mac));
        // Admitted with the same MAC but never wired by Multus (no network-status) and not running: no collision.
        await K.CreatePodAsync(Test.Name, "pod-unwired", annotations: new Dictionary<string, string>
        {
            ["k8s.v1.cni.cncf.io/networks"] = $$"""[{"name":"net1","mac":"{{Mac}}"}]""",
        });
        K.DeferCleanup("deleting pod-unwired", _ => K.DeletePodAsync(Test.Name, "pod-unwired"));
        await K.SetPodPhaseAsync(Test.Name, "pod-unwired", "Running");
        await S.ExpectNoCollisionAsync(Mac, a);

        var b = await S.RunningPodAsync(Test.Name, "pod-b", ("net1", Mac));
        await S.ExpectGaugeAsync(Mac, 2);
        await K.SetPodPhaseAsync(b.Namespace, b.Name, "Succeeded");
        await S.ExpectGaugeAsync(Mac, 0);
    }

    [Fact]
    public async Task A_virt_launcher_pod_is_left_to_its_vmi()
    {
        const string Mac = "02:00:00:00:bb:90";
        var a = await S.RunningPodAsync(Test.Name, "pod-a", ("net1", Mac));
        var launcher = new Dictionary<string, string> { ["kubevirt.io"] = "virt-launcher" };
        await K.CreatePodAsync(Test.Name, "virt-launcher-x", annotations: new Dictionary<string, string>
        {
            ["k8s.v1.cni.cncf.io/networks"] = $$"""[{"name":"net1","mac":"{{Mac}}"}]""",
            ["k8s.v1.cni.cncf.io/network-status"] = $$"""[{"name":"net1","mac":"{{Mac}}"}]""",
        }, labels: launcher);
        K.DeferCleanup("deleting virt-launcher-x", _ => K.DeletePodAsync(Test.Name, "virt-launcher-x"));
        await K.SetPodPhaseAsync(Test.Name, "virt-launcher-x", "Running");
        await S.ExpectNoCollisionAsync(Mac, a, new RunningObject("pod", Test.Name, "virt-launcher-x"));
    }
}
