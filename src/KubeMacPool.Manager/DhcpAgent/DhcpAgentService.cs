using System.Net;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Server;
using KubeMacPool.Manager.Kubernetes.Client;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.DhcpAgent;

/// <summary>
/// Runs the DHCP server on the pool's interface. A socket that cannot be bound (no capability yet, interface not up)
/// is retried, not fatal; a DECLINE becomes a Warning Event on the reservation and its VM (the address is probably
/// used by another host), a RELEASE is only logged (reservations belong to the controller).
/// </summary>
internal sealed partial class DhcpAgentService(
    DhcpLeaseBook book,
    LeaseBookFeeder feeder,
    EventRecorder events,
    IOptions<DhcpAgentOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan RebindDelay = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<DhcpAgentService>();

    /// <summary>True while the socket is bound.</summary>
    public bool IsListening { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var serverOptions = new DhcpServerOptions
        {
            InterfaceName = string.IsNullOrEmpty(settings.Interface) ? null : settings.Interface,
            ListenAddress = IPAddress.Parse(settings.ListenAddress),
            ServerPort = settings.ServerPort,
            ClientPort = settings.ClientPort,
            BroadcastAddress = IPAddress.Parse(settings.BroadcastAddress),
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            await using var server = new DhcpServer(book, serverOptions, time, loggers.CreateLogger<DhcpServer>(), Report);
            var run = server.RunAsync(stoppingToken);
            try
            {
                await server.Listening.WaitAsync(stoppingToken);
                IsListening = true;
                await run;
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogBindFailed(_logger, settings.ServerPort, settings.Interface ?? "(any)", RebindDelay.TotalSeconds, e);
            }
            finally
            {
                IsListening = false;
            }

            await Task.Delay(RebindDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Report(DhcpClientReport report)
    {
        LogClientReport(_logger, report.MessageType, report.Mac, report.Address);
        if (!string.Equals(report.MessageType, "DECLINE", StringComparison.OrdinalIgnoreCase)
            || feeder.ReservationOf(report.Mac) is not { } reservation)
        {
            return;
        }

        var message = $"the guest with MAC {report.Mac} declined {report.Address?.ToString() ?? reservation.Status?.Address}: "
            + "another host on the network probably uses that address";
        var ns = reservation.Metadata.NamespaceProperty;
        events.Record(new EventTarget(reservation.ApiVersion, reservation.Kind, ns, reservation.Metadata.Name, reservation.Metadata.Uid),
            EventRecorder.Warning, "DHCPDecline", message, "kubemacpool-dhcp-agent");
        var owner = reservation.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        if (owner is not null)
        {
            events.Record(new EventTarget(owner.ApiVersion, owner.Kind, ns, owner.Name, owner.Uid),
                EventRecorder.Warning, "DHCPDecline", $"interface {reservation.Spec.Interface}: {message}", "kubemacpool-dhcp-agent");
        }
    }

    [LoggerMessage(EventId = 1255, Level = LogLevel.Error, Message = "DHCP server could not listen on port {Port} (interface {Interface}); retrying in {DelaySeconds} s")]
    private static partial void LogBindFailed(ILogger logger, int port, string @interface, double delaySeconds, Exception exception);

    [LoggerMessage(EventId = 1256, Level = LogLevel.Information, Message = "DHCP {MessageType} from {Mac} for {Address}")]
    private static partial void LogClientReport(ILogger logger, string messageType, KubeMacPool.Core.Addressing.MacAddress mac, IPAddress? address);
}
