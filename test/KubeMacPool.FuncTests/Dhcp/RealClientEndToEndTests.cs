using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using KubeMacPool.Dhcp.Tests.Clients;
using KubeMacPool.FuncTests.Infrastructure;
using KubeMacPool.FuncTests.Service;
using LabProcess = KubeMacPool.Dhcp.Tests.Clients.ProcessRunner;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>
/// The whole path: an IPPool and a VM in the real API server, the manager reserving an address for the VM's MAC, the
/// <c>dhcp-agent</c> process serving it on a veth, and busybox udhcpc in another network namespace with that MAC
/// leasing exactly the reserved address and the pool's options; then the same with the agent started from the
/// Deployment the manager made for the pool.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class RealClientEndToEndTests(ClusterFixture cluster, DhcpServiceFixture fixture)
    : IClassFixture<DhcpServiceFixture>, IAsyncLifetime
{
    private readonly TestCluster _k = new(cluster, TestContext.Current.CancellationToken);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _k.DisposeAsync();

    [Fact]
    public async Task Udhcpc_in_a_namespace_leases_the_address_reserved_for_the_vm()
    {
        var (lab, busybox) = await StartLabAsync();
        await using var _ = lab;

        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        var pool = TestCluster.UniqueName("pool");
        var body = DhcpObjects.Pool(pool, ns + "/pooled", $"{lab.Prefix}.0/24", lab.ServerAddress.ToString(), lab.Address(254).ToString(), lab.Address(10).ToString(), lab.Address(50).ToString());
        body["spec"]!["dns"] = new JsonArray(lab.Address(53).ToString());
        body["spec"]!["domainName"] = "pool.example";
        await _k.CreatePoolAsync(body);
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("guest", ("pooled", lab.ClientMac.ToString().ToUpperInvariant())));
        var reserved = DhcpObjects.Address(await _k.AllocatedReservationAsync(ns, "guest.pooled"));

        await using var agent = await DhcpAgentProcess.StartOnInterfaceAsync(cluster, pool, lab.AgentInterface);
        var bound = await LeaseAsync(lab, busybox, agent);
        Assert.Equal(reserved, bound["ip"]);
        Assert.Equal("255.255.255.0", bound["subnet"]);
        Assert.Equal(lab.Address(254).ToString(), bound["router"]);
        Assert.Equal(lab.Address(53).ToString(), bound["dns"].Trim());
        Assert.Equal("pool.example", bound["domain"]);
        Assert.Equal("guest", bound["hostname"]);
        Assert.Equal(lab.ServerAddress.ToString(), bound["serverid"]);
        Assert.Equal(3600, int.Parse(bound["lease"], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// No manual agent step: the manager's Deployment for the pool is read back, and its container's command line and
    /// environment, run on the lab's veth (which has the address Multus would give the pod), serve the guest.
    /// </summary>
    [Fact]
    public async Task The_agent_started_as_the_managed_deployment_says_serves_the_reserved_address()
    {
        var (lab, busybox) = await StartLabAsync();
        await using var _ = lab;

        var ns = (await _k.CreateNamespaceAsync(waitForDefaultServiceAccount: false)).Name;
        await _k.CreateNetworkAttachmentDefinitionAsync(ns, "pooled", TestCluster.BridgeCniConfig("pooled"));
        var pool = TestCluster.UniqueName("pool");
        await _k.CreatePoolAsync(DhcpObjects.Pool(pool, ns + "/pooled", $"{lab.Prefix}.0/24", lab.ServerAddress.ToString(), null, lab.Address(10).ToString(), lab.Address(50).ToString()));
        await _k.CreateVirtualMachineAsync(ns, Vms.Bridged("guest", ("pooled", lab.ClientMac.ToString())));
        var reserved = DhcpObjects.Address(await _k.AllocatedReservationAsync(ns, "guest.pooled"));

        var deployment = await Eventually.ValueAsync(
            async () => await TestCluster.TryAsync(() => cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("kubemacpool-dhcp-agent-" + pool, KubeMacPoolService.Namespace)),
            d => d is not null, $"the agent Deployment of pool {pool}");
        var attachment = JsonNode.Parse(deployment!.Spec.Template.Metadata.Annotations["k8s.v1.cni.cncf.io/networks"])!.AsArray().Single()!;
        Assert.Equal($"{lab.ServerAddress}/24", attachment["ips"]!.AsArray().Single()!.GetValue<string>());
        var container = deployment.Spec.Template.Spec.Containers.Single();
        Assert.Null(container.Command); // the image's entrypoint, the kubemacpool binary, which the process runs
        await using var agent = await DhcpAgentProcess.StartAsContainerAsync(
            cluster,
            container.Args,
            (container.Env ?? []).Select(e => (e.Name, e.Value)),
            attachment["interface"]!.GetValue<string>(),
            lab.AgentInterface,
            container.Ports.Single(p => p.Name == "health").ContainerPort);

        var bound = await LeaseAsync(lab, busybox, agent);
        Assert.Equal(reserved, bound["ip"]);
        Assert.Equal("guest", bound["hostname"]);
        Assert.Equal(lab.ServerAddress.ToString(), bound["serverid"]);
    }

    private async Task<Dictionary<string, string>> LeaseAsync(NetworkLab lab, string busybox, DhcpAgentProcess agent)
    {
        var output = Path.Combine(lab.Directory, "udhcpc.env");
        var script = Path.Combine(lab.Directory, "udhcpc.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\n{{ echo \"event=$1\"; env; echo '--end--'; }} >> '{output}'\n", _k.CancellationToken);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var result = await lab.InNamespaceAsync(TimeSpan.FromSeconds(40),
            busybox, "udhcpc", "-i", lab.ClientInterface, "-n", "-q", "-f", "-t", "5", "-T", "1", "-s", script);
        Assert.True(result.ExitCode == 0, $"{result}\nagent:\n{agent.LogTail()}");

        return (await File.ReadAllTextAsync(output, _k.CancellationToken))
            .Split("--end--", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(line => line.Contains('=', StringComparison.Ordinal))
                .Select(line => (Key: line[..line.IndexOf('=', StringComparison.Ordinal)], Value: line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]))
                .GroupBy(p => p.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal))
            .Single(e => e.GetValueOrDefault("event") == "bound");
    }

    /// <summary>The lab both tests need, or a skip that says which capability the machine lacks.</summary>
    private async Task<(NetworkLab Lab, string Busybox)> StartLabAsync()
    {
        Assert.NotNull(fixture.Service);
        Assert.SkipUnless(OperatingSystem.IsLinux(), "network namespaces are Linux");
        var busybox = LabProcess.Find("busybox");
        Assert.SkipWhen(busybox is null, "busybox (udhcpc) is not installed; `make dhcp-clients` installs it");
        var (created, reason) = await NetworkLab.TryCreateAsync();
        Assert.SkipWhen(created is null, reason ?? "no network namespaces");
        return (created!, busybox!);
    }
}
