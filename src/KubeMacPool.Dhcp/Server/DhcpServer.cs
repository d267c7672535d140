using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.Dhcp.Server;

/// <summary>
/// The DHCP agent: one UDP socket on the server port, bound to the pool's interface, answering from the lease book.
/// Packets are handled one at a time (a reply is a few microseconds of work); no input can stop the loop.
/// </summary>
public sealed class DhcpServer : IAsyncDisposable
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    private readonly DhcpLeaseBook _book;
    private readonly DhcpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DhcpServer> _logger;
    private readonly Action<DhcpClientReport>? _onClientReport;
    private readonly CancellationTokenSource _disposed = new();
    private readonly TaskCompletionSource<IPEndPoint> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;
    private long _malformedWindowStart = long.MinValue;
    private int _malformedInWindow;
    private int _disposeCalled;

    public DhcpServer(DhcpLeaseBook book, DhcpServerOptions options, TimeProvider time, ILogger<DhcpServer> logger, Action<DhcpClientReport>? onClientReport = null)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.ServerPort is < 0 or > 65535 || options.ClientPort is < 1 or > 65535)
        {
            throw new ArgumentException($"ports must be within 1..65535 (server 0: any free port, for tests) (server {options.ServerPort}, client {options.ClientPort})", nameof(options));
        }

        if (options.ListenAddress is null || options.ListenAddress.AddressFamily != AddressFamily.InterNetwork ||
            options.BroadcastAddress is null || options.BroadcastAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("ListenAddress and BroadcastAddress must be IPv4 addresses (DHCPv4)", nameof(options));
        }

        _book = book;
        _options = options;
        _time = time;
        _logger = logger;
        _onClientReport = onClientReport;
    }

    /// <summary>Completes with the bound endpoint once the socket listens; faults when binding fails.</summary>
    public Task<IPEndPoint> Listening => _listening.Task;

    /// <summary>Binds the socket and serves until <paramref name="cancellationToken"/> fires or the server is disposed.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        _run = RunCoreAsync(cancellationToken);
        return _run;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeCalled, 1) == 1)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception) when (_run.IsFaulted || _run.IsCanceled)
        {
            // RunAsync's caller already observed the failure.
        }

        _disposed.Dispose();
    }

    private async Task RunCoreAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var token = linked.Token;
        Socket socket;
        try
        {
            socket = Bind();
        }
        catch (Exception exception)
        {
            _listening.TrySetException(exception);
            throw;
        }

        using (socket)
        {
            var local = (IPEndPoint)socket.LocalEndPoint!;
            DhcpServerLog.Listening(_logger, local.Address, local.Port, _options.InterfaceName ?? "(any)");
            _listening.TrySetResult(local);
            var receiveBuffer = new byte[DhcpDecoder.MaxDatagramLength];
            var replyBuffer = new byte[DhcpResponder.MaximumMaxMessageSize];
            EndPoint anySource = new IPEndPoint(IPAddress.Any, 0);
            while (!token.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(receiveBuffer, SocketFlags.None, anySource, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (SocketException exception)
                {
                    // e.g. an ICMP error for an earlier reply; the socket itself is still fine.
                    DhcpServerLog.ReceiveFailed(_logger, exception);
                    continue;
                }

                try
                {
                    await HandleAsync(socket, receiveBuffer.AsMemory(0, received.ReceivedBytes), received.RemoteEndPoint, replyBuffer, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception exception)
                {
                    DhcpServerLog.HandlerFailed(_logger, exception, received.RemoteEndPoint);
                }
            }
        }

        DhcpServerLog.Stopped(_logger);
    }

    private Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.EnableBroadcast = true;
            // Several agents (one per pool interface) share port 67 on one host, each bound to its own device.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (!string.IsNullOrEmpty(_options.InterfaceName))
            {
                socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(_options.InterfaceName + "\0"));
            }

            socket.Bind(new IPEndPoint(_options.ListenAddress, _options.ServerPort));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async ValueTask HandleAsync(Socket socket, ReadOnlyMemory<byte> datagram, EndPoint source, byte[] replyBuffer, CancellationToken token)
    {
        var decoded = DhcpDecoder.Decode(datagram.Span);
        if (!decoded.Succeeded)
        {
            LogMalformed(source, decoded);
            return;
        }

        var request = decoded.Message;
        var decision = DhcpResponder.Decide(request, _book.Snapshot);
        if (decision.Report is { } report)
        {
            Report(report);
        }

        if (decision.Reply is not { } reply)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                DhcpServerLog.Silent(_logger, request.MessageType, request.ClientMac, decision.Silence);
            }

            return;
        }

        var length = DhcpEncoder.Encode(reply, replyBuffer, decision.MaxReplyLength, out var dropped);
        var mac = request.ClientMac!.Value;
        if (dropped > 0)
        {
            DhcpServerLog.OptionsDropped(_logger, dropped, decision.MaxReplyLength, mac);
        }

        var destination = decision.Route switch
        {
            ReplyRoute.Relay => new IPEndPoint(decision.RouteAddress!, _options.ServerPort),
            ReplyRoute.ClientUnicast => new IPEndPoint(decision.RouteAddress!, _options.ClientPort),
            _ => new IPEndPoint(_options.BroadcastAddress, _options.ClientPort),
        };
        try
        {
            await socket.SendToAsync(replyBuffer.AsMemory(0, length), SocketFlags.None, destination, token).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            DhcpServerLog.SendFailed(_logger, exception, destination);
            return;
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            DhcpServerLog.Replied(_logger, reply.MessageType!.Value, request.MessageType!.Value, mac, reply.YourAddress, destination);
        }
    }

    private void Report(DhcpClientReport report)
    {
        if (report.MessageType == "DECLINE")
        {
            DhcpServerLog.Declined(_logger, report.Mac, report.Address);
        }
        else
        {
            DhcpServerLog.Released(_logger, report.Mac, report.Address);
        }

        try
        {
            _onClientReport?.Invoke(report);
        }
        catch (Exception exception)
        {
            DhcpServerLog.ReportFailed(_logger, exception, report);
        }
    }

    // One warning per second at most: a broken or hostile sender must not flood the log.
    private void LogMalformed(EndPoint source, DhcpDecodeResult decoded)
    {
        var now = _time.GetTimestamp();
        if (_malformedWindowStart == long.MinValue || _time.GetElapsedTime(_malformedWindowStart, now) >= TimeSpan.FromSeconds(1))
        {
            _malformedWindowStart = now;
            _malformedInWindow = 0;
            DhcpServerLog.Malformed(_logger, source, decoded.Error, decoded.Detail);
            return;
        }

        DhcpServerLog.MalformedSuppressed(_logger, source, decoded.Error, decoded.Detail, ++_malformedInWindow);
    }
}
