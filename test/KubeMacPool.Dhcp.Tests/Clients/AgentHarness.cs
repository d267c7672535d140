using System.Collections.Concurrent;
using System.Net;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Server;

namespace KubeMacPool.Dhcp.Tests.Clients;

/// <summary>A real agent on the lab's agent interface, port 67, with one reservation (by default for the lab's client MAC).</summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private AgentHarness(NetworkLab lab)
    {
        Lab = lab;
        Server = new DhcpServer(Book, new DhcpServerOptions { InterfaceName = lab.AgentInterface }, TimeProvider.System, Logger, Reports.Enqueue);
    }

    public NetworkLab Lab { get; }

    public DhcpLeaseBook Book { get; } = new();

    public RecordingLogger<DhcpServer> Logger { get; } = new();

    public ConcurrentQueue<DhcpClientReport> Reports { get; } = new();

    public DhcpServer Server { get; }

    public IPAddress Reserved => Lab.Address(10);

    public DhcpNetworkSettings Settings => new()
    {
        ServerAddress = Lab.ServerAddress,
        SubnetMask = IPAddress.Parse("255.255.255.0"),
        Router = Lab.Address(1),
        DnsServers = [Lab.Address(53), Lab.Address(54)],
        DomainName = "pool.example",
        SearchDomains = ["pool.example", "corp.example"],
        NtpServers = [Lab.Address(123)],
        LeaseTime = TimeSpan.FromSeconds(3600),
        InterfaceMtu = 1400,
        ClasslessRoutes = [new ClasslessRoute(IPAddress.Parse("192.168.0.0"), 16, Lab.Address(254))],
    };

    public static async Task<AgentHarness> StartAsync(NetworkLab lab, MacAddress? reservedMac = null)
    {
        var harness = new AgentHarness(lab);
        harness.Book.Replace(harness.Settings, [new DhcpReservation(reservedMac ?? lab.ClientMac, harness.Reserved, "vm-a")]);
        harness._run = harness.Server.RunAsync(harness._stop.Token);
        await harness.Server.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        return harness;
    }

    /// <summary>Replies the agent logged, e.g. "Nak for Request from …".</summary>
    public IEnumerable<string> Replies => Logger.Messages(1102);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Server.DisposeAsync();
        await _run;
        _stop.Dispose();
    }
}
