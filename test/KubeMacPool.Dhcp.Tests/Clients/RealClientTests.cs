using System.Text.RegularExpressions;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Dhcp.Tests.Clients;

/// <summary>
/// The agent against real DHCP clients (busybox udhcpc, ISC dhclient) in another network namespace over a veth pair.
/// Needs root (namespaces, port 67); skipped only when namespaces cannot be created. `make dhcp-clients` installs them.
/// </summary>
[Collection(NetworkNamespaceGroup.Name)]
public sealed partial class RealClientTests
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(40);

    private static async Task<NetworkLab> LabOrSkipAsync()
    {
        var (lab, reason) = await NetworkLab.TryCreateAsync();
        if (lab is null)
        {
            Assert.Skip(reason!);
        }

        return lab;
    }

    private static string Require(string tool) =>
        ProcessRunner.Find(tool) ?? throw new InvalidOperationException($"`{tool}` is not installed; run `make dhcp-clients` (as root)");

    // ---- busybox udhcpc -------------------------------------------------------------------------------------------

    /// <summary>Runs udhcpc once; returns its exit code and the environment of each script call.</summary>
    private static async Task<(ProcessResult Result, List<Dictionary<string, string>> Events)> UdhcpcAsync(NetworkLab lab, int tries, params string[] extra)
    {
        var busybox = Require("busybox");
        var output = Path.Combine(lab.Directory, $"udhcpc-{Guid.NewGuid():N}.env");
        var script = Path.Combine(lab.Directory, "udhcpc.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\n{{ echo \"event=$1\"; env; echo '--end--'; }} >> '{output}'\n", TestContext.Current.CancellationToken);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // -n: exit when no lease; -q: exit after getting one; -f: foreground; -t/-T: tries and seconds between them.
        var result = await lab.InNamespaceAsync(ClientTimeout,
            [busybox, "udhcpc", "-i", lab.ClientInterface, "-n", "-q", "-f", "-t", tries.ToString(System.Globalization.CultureInfo.InvariantCulture), "-T", "1", "-s", script,
             "-O", "search", "-O", "staticroutes", "-O", "ntpsrv", "-O", "mtu", .. extra]);
        var events = new List<Dictionary<string, string>>();
        if (File.Exists(output))
        {
            foreach (var block in (await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken)).Split("--end--", StringSplitOptions.RemoveEmptyEntries))
            {
                var values = new Dictionary<string, string>();
                foreach (var line in block.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = line.IndexOf('=', StringComparison.Ordinal);
                    if (equals > 0)
                    {
                        values[line[..equals]] = line[(equals + 1)..];
                    }
                }

                if (values.ContainsKey("event"))
                {
                    events.Add(values);
                }
            }
        }

        return (result, events);
    }

    [Fact]
    public async Task Udhcpc_gets_exactly_the_reserved_address_and_the_pool_options()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab);

        var (result, events) = await UdhcpcAsync(lab, tries: 5);

        Assert.True(result.ExitCode == 0, result.ToString());
        var bound = Assert.Single(events, e => e["event"] == "bound");
        Assert.Equal(agent.Reserved.ToString(), bound["ip"]);
        Assert.Equal("255.255.255.0", bound["subnet"]);
        Assert.Equal(lab.Address(1).ToString(), bound["router"]);
        Assert.Equal($"{lab.Address(53)} {lab.Address(54)}", bound["dns"].Trim());
        Assert.Equal("pool.example", bound["domain"]);
        Assert.Equal("pool.example corp.example", bound["search"].Trim());
        Assert.Equal(lab.Address(123).ToString(), bound["ntpsrv"].Trim());
        Assert.Equal("1400", bound["mtu"]);
        Assert.Equal("vm-a", bound["hostname"]);
        Assert.Equal("3600", bound["lease"]);
        Assert.Equal(lab.ServerAddress.ToString(), bound["serverid"]);
        Assert.Equal($"192.168.0.0/16 {lab.Address(254)} 0.0.0.0/0 {lab.Address(1)}", bound["staticroutes"].Trim());
        Assert.Contains(agent.Replies, reply => reply.StartsWith("Offer for Discover", StringComparison.Ordinal));
        Assert.Contains(agent.Replies, reply => reply.StartsWith("Ack for Request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Udhcpc_asking_for_another_address_still_converges_to_the_reserved_one()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab);

        var (result, events) = await UdhcpcAsync(lab, 5, "-r", lab.Address(77).ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(agent.Reserved.ToString(), Assert.Single(events, e => e["event"] == "bound")["ip"]);
    }

    [Fact]
    public async Task Udhcpc_with_an_unknown_mac_gets_nothing()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab, reservedMac: MacAddress.Parse("02:aa:bb:cc:dd:ee"));

        var (result, events) = await UdhcpcAsync(lab, tries: 2);

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain(events, e => e["event"] == "bound");
        Assert.Empty(agent.Replies);
        Assert.Contains(agent.Logger.Messages(1103), message => message.Contains("UnknownMac", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Udhcpc_follows_a_pool_update_without_an_agent_restart()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab);
        agent.Book.Replace(agent.Settings with { DnsServers = [lab.Address(99)] }, [new(lab.ClientMac, lab.Address(20), null)]);

        var (result, events) = await UdhcpcAsync(lab, tries: 5);

        Assert.True(result.ExitCode == 0, result.ToString());
        var bound = Assert.Single(events, e => e["event"] == "bound");
        Assert.Equal(lab.Address(20).ToString(), bound["ip"]);
        Assert.Equal(lab.Address(99).ToString(), bound["dns"].Trim());
        Assert.False(bound.ContainsKey("hostname"));
    }

    // ---- ISC dhclient ---------------------------------------------------------------------------------------------

    private sealed record DhclientFiles(string Config, string Leases, string Pid);

    private static async Task<DhclientFiles> DhclientFilesAsync(NetworkLab lab)
    {
        var files = new DhclientFiles(Path.Combine(lab.Directory, "dhclient.conf"), Path.Combine(lab.Directory, "dhclient.leases"), lab.PidFile("dhclient.pid"));
        await File.WriteAllTextAsync(files.Config, """
            option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
            timeout 20;
            retry 1;
            initial-interval 1;
            request subnet-mask, routers, domain-name-servers, domain-name, domain-search, host-name, ntp-servers,
                    interface-mtu, rfc3442-classless-static-routes, dhcp-lease-time, dhcp-renewal-time, dhcp-rebinding-time;
            """, TestContext.Current.CancellationToken);
        return files;
    }

    /// <summary>`dhclient -1`: one attempt; after binding it daemonises (the pid file lets disposal stop it).</summary>
    private static Task<ProcessResult> DhclientAsync(NetworkLab lab, DhclientFiles files, params string[] mode) =>
        lab.InNamespaceAsync(ClientTimeout,
            [Require("dhclient"), .. mode, "-v", "-cf", files.Config, "-sf", "/bin/true", "-lf", files.Leases, "-pf", files.Pid, lab.ClientInterface]);

    /// <summary>The last lease block of a dhclient lease file, as option name → value (plus fixed-address).</summary>
    private static Dictionary<string, string> LastLease(string leaseFile)
    {
        var text = File.ReadAllText(leaseFile);
        var block = text[text.LastIndexOf("lease {", StringComparison.Ordinal)..];
        var values = new Dictionary<string, string>();
        foreach (Match match in LeaseLine().Matches(block))
        {
            values[match.Groups["name"].Value] = match.Groups["value"].Value;
        }

        return values;
    }

    [GeneratedRegex(@"^\s*(?:option\s+)?(?<name>[a-z0-9-]+)\s+(?<value>.*);\s*$", RegexOptions.Multiline)]
    private static partial Regex LeaseLine();

    [Fact]
    public async Task Dhclient_gets_exactly_the_reserved_address_and_the_pool_options()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab);
        var files = await DhclientFilesAsync(lab);

        var result = await DhclientAsync(lab, files, "-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lease = LastLease(files.Leases);
        Assert.Equal(agent.Reserved.ToString(), lease["fixed-address"]);
        Assert.Equal("255.255.255.0", lease["subnet-mask"]);
        Assert.Equal(lab.Address(1).ToString(), lease["routers"]);
        Assert.Equal($"{lab.Address(53)},{lab.Address(54)}", lease["domain-name-servers"]);
        Assert.Equal("\"pool.example\"", lease["domain-name"]);
        Assert.Equal("\"pool.example.\",\"corp.example.\"", lease["domain-search"].Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal("\"vm-a\"", lease["host-name"]);
        Assert.Equal(lab.Address(123).ToString(), lease["ntp-servers"]);
        Assert.Equal("1400", lease["interface-mtu"]);
        Assert.Equal("3600", lease["dhcp-lease-time"]);
        Assert.Equal("1800", lease["dhcp-renewal-time"]);
        Assert.Equal("3150", lease["dhcp-rebinding-time"]);
        Assert.Equal(lab.ServerAddress.ToString(), lease["dhcp-server-identifier"]);
        var octets = lab.Address(254).GetAddressBytes();
        Assert.Equal($"16,192,168,{octets[0]},{octets[1]},{octets[2]},254,0,{octets[0]},{octets[1]},{octets[2]},1", lease["rfc3442-classless-static-routes"]);
    }

    [Fact]
    public async Task Dhclient_rebooting_with_a_stale_address_is_naked_and_converges_to_the_reserved_one()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab);
        var files = await DhclientFilesAsync(lab);
        // An unexpired lease for another address: dhclient starts in INIT-REBOOT and asks for it first.
        await File.WriteAllTextAsync(files.Leases, $$"""
            lease {
              interface "{{lab.ClientInterface}}";
              fixed-address {{lab.Address(77)}};
              option subnet-mask 255.255.255.0;
              option dhcp-server-identifier {{lab.ServerAddress}};
              renew 4 2037/01/01 00:00:00;
              rebind 4 2037/01/01 00:00:00;
              expire 4 2037/01/01 00:00:00;
            }

            """, TestContext.Current.CancellationToken);

        var result = await DhclientAsync(lab, files, "-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"DHCPREQUEST for {lab.Address(77)}", result.Error, StringComparison.Ordinal);
        Assert.Contains("DHCPNAK", result.Error, StringComparison.Ordinal);
        Assert.Contains(agent.Replies, reply => reply.StartsWith("Nak for Request", StringComparison.Ordinal));
        Assert.Equal(agent.Reserved.ToString(), LastLease(files.Leases)["fixed-address"]);
    }

    [Fact]
    public async Task Dhclient_release_is_reported_and_the_reservation_stays()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab);
        var files = await DhclientFilesAsync(lab);
        var bound = await DhclientAsync(lab, files, "-1");
        Assert.True(bound.ExitCode == 0, bound.ToString());
        // -sf /bin/true configured nothing; the unicast RELEASE needs the address on the interface.
        await NetworkLab.IpAsync("-n", lab.Namespace, "addr", "add", $"{agent.Reserved}/24", "dev", lab.ClientInterface);

        var released = await DhclientAsync(lab, files, "-r");

        Assert.True(released.ExitCode == 0, released.ToString());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (agent.Reports.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var report = Assert.Single(agent.Reports);
        Assert.Equal(("RELEASE", lab.ClientMac, agent.Reserved), (report.MessageType, report.Mac, report.Address));
        Assert.True(agent.Book.TryGetReservation(lab.ClientMac, out var reservation));
        Assert.Equal(agent.Reserved, reservation.Address);
    }

    [Fact]
    public async Task Dhclient_with_an_unknown_mac_gets_nothing()
    {
        await using var lab = await LabOrSkipAsync();
        await using var agent = await AgentHarness.StartAsync(lab, reservedMac: MacAddress.Parse("02:aa:bb:cc:dd:ee"));
        var files = await DhclientFilesAsync(lab);
        await File.AppendAllTextAsync(files.Config, "timeout 3;\n", TestContext.Current.CancellationToken);

        var result = await DhclientAsync(lab, files, "-1");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("No DHCPOFFERS received", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("DHCPOFFER of", result.Error, StringComparison.Ordinal);
        Assert.Empty(agent.Replies);
        Assert.False(File.Exists(files.Leases) && File.ReadAllText(files.Leases).Contains("fixed-address", StringComparison.Ordinal));
    }
}
