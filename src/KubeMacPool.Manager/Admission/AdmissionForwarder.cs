using System.Net;
using System.Net.Http.Headers;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Admission;

/// <summary>
/// A review that reaches a replica which is not the leader is not refused: it goes to the leader the Lease names,
/// and while there is none (a takeover in progress) it is held until one exists, within <c>--forward-timeout</c>.
/// The leader presents the same serving certificate as every replica (one Secret), so that certificate is the
/// trust anchor: no other peer is accepted.
/// </summary>
internal sealed partial class AdmissionForwarder : IDisposable
{
    /// <summary>Set on a forwarded review; a replica that gets one while not leading answers 503 instead of forwarding again.</summary>
    public const string ForwardedHeader = "X-Kubemacpool-Forwarded-By";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Leadership _leadership;
    private readonly TimeProvider _time;
    private readonly ILogger<AdmissionForwarder> _logger;
    private readonly TimeSpan _timeout;
    private readonly HttpClient _client;

    public AdmissionForwarder(Leadership leadership, ServingCertificate serving, IOptions<ManagerOptions> options, TimeProvider time, ILogger<AdmissionForwarder> logger)
    {
        _leadership = leadership;
        _time = time;
        _logger = logger;
        _timeout = options.Value.ForwardTimeout;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(1),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && serving.Current is { } own && certificate.GetRawCertData().AsSpan().SequenceEqual(own.RawData);
        _client = new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>
    /// Returns the leader's answer (the AdmissionReview JSON), or null when this process became the leader while
    /// waiting: the caller then reviews it itself and must call <see cref="Leadership.ExitLeaderWork"/> after.
    /// Throws <see cref="TimeoutException"/> when no leader answered in time.
    /// </summary>
    public async Task<byte[]?> ForwardAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        string? lastError = null;
        while (true)
        {
            if (_leadership.TryEnterLeaderWork())
            {
                return null;
            }

            var remaining = _timeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no leader answered within {_timeout.TotalSeconds:0.#} s" + (lastError is null ? "" : ": " + lastError));
            }

            var changed = _leadership.Changed;
            if (_leadership.LeaderUrl is { } leader)
            {
                try
                {
                    if (await PostAsync(leader + path, body, remaining, cancellationToken) is { } answer)
                    {
                        return answer;
                    }

                    lastError = leader + " is not the leader any more";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    lastError = leader + ": " + e.Message;
                    LogForwardFailed(_logger, leader, e.Message);
                }
            }

            // A new leader (or this process leading) ends the wait early; the poll covers a leader that comes back.
            await Task.WhenAny(changed, Task.Delay(PollInterval, _time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<byte[]?> PostAsync(string url, byte[] body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Add(ForwardedHeader, _leadership.Identity);
        using var response = await _client.SendAsync(request, cts.Token);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync(cts.Token) : null;
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Debug, Message = "Forwarding a review to {Leader} failed: {Error}; waiting for the leader")]
    private static partial void LogForwardFailed(ILogger logger, string leader, string error);
}
