using k8s;
using k8s.LeaderElection;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using KubeMacPool.Manager.Kubernetes.Client;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.HighAvailability;

/// <summary>
/// Runs the client library's leader election on the <see cref="WellKnown.LeaderLease"/> Lease once the pool is
/// rebuilt (a replica that does not know the cluster yet must not lead), and keeps <see cref="Leadership"/> current.
/// On SIGTERM (host stopping, before the web server stops): not ready, stop allocating, release the Lease with the
/// final cursor at once (a successor takes over within one retry period, not a lease duration), then keep forwarding
/// for <c>--shutdown-drain</c> while the balancer drains; Kestrel then finishes what is in flight.
/// </summary>
internal sealed partial class LeaderElectionService(
    IKubernetes client,
    Leadership leadership,
    MacPool pool,
    Takeover takeover,
    ReadinessGate readiness,
    EventRecorder events,
    LeaderMetrics metrics,
    IOptions<ManagerOptions> options,
    TimeProvider time,
    ILogger<LeaderElectionService> logger) : BackgroundService, IHostedLifecycleService
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _election = new();
    private PublishingLeaseLock? _lock;
    private Task _running = Task.CompletedTask;
    private string? _holder;

    private string Namespace => options.Value.PodNamespace!;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = RunAsync(CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _election.Token).Token);
        return _running;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await readiness.WhenFirstSatisfied(WellKnown.PoolReadiness).WaitAsync(cancellationToken);
        var settings = options.Value;
        _lock = new PublishingLeaseLock(client, Namespace, WellKnown.LeaderLease, leadership.Identity, () => (leadership.SelfUrl, pool.AllocationCursor), Observed);
        var config = new LeaderElectionConfig(_lock)
        {
            LeaseDuration = settings.LeaseDuration,
            RenewDeadline = settings.RenewDeadline,
            RetryPeriod = settings.RetryPeriod,
        };
        LogCandidate(logger, leadership.Identity, leadership.SelfUrl);
        while (!cancellationToken.IsCancellationRequested)
        {
            using var elector = new LeaderElector(config);
            elector.OnStartedLeading += StartedLeading;
            elector.OnError += e => LogElectionError(logger, e.Message);
            try
            {
                await elector.RunUntilLeadershipLostAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogElectionError(logger, e.Message);
            }

            if (leadership.IsLeader)
            {
                // Renewal failed (API server unreachable past the renew deadline): stop before a successor may start.
                await leadership.StopLeadingAsync(CancellationToken.None);
                metrics.RecordTransition("lost");
                LogLost(logger, leadership.Identity);
            }

            await Task.Delay(settings.RetryPeriod, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void StartedLeading()
    {
        var previous = _holder;
        var how = takeover.Apply(previous);
        leadership.StartLeading();
        _holder = leadership.Identity;
        metrics.RecordTransition("took-over");
        LogLeading(logger, leadership.Identity, previous ?? "none");
        events.Record(
            new EventTarget("coordination.k8s.io/v1", "Lease", Namespace, WellKnown.LeaderLease, null),
            EventRecorder.Normal,
            "LeaderElected",
            $"{leadership.Identity} took over from {previous ?? "no leader"} ({how})");
    }

    private void Observed(LeaseView view)
    {
        if (view.Holder == leadership.Identity)
        {
            return;
        }

        takeover.Observe(view);
        if (view.Holder != _holder)
        {
            if (view.Holder is not null)
            {
                metrics.RecordTransition("observed");
                LogNewLeader(logger, view.Holder, view.LeaderUrl ?? "(no url)");
                _holder = view.Holder;
            }
        }

        leadership.ObserveLeader(view.Holder is null || view.Released ? null : view.LeaderUrl);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        leadership.StartDraining();

        // The elector stops first: a standby could otherwise take the Lease while this replica shuts down (the
        // leader's Lease expiring just then) and die holding it, and its successor would wait out the whole duration.
        await _election.CancelAsync();
        await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        await leadership.StopLeadingAsync(cancellationToken);
        if (_lock is not null)
        {
            await ReleaseAsync(_lock, cancellationToken);
        }

        // Reviews that still arrive (the balancer has not noticed /readyz yet, or a keep-alive connection is pinned
        // here) are forwarded to the successor, which this replica learns by reading the Lease as a standby does.
        await WatchSuccessorAsync(options.Value.ShutdownDrain, cancellationToken);
    }

    private async Task WatchSuccessorAsync(TimeSpan drain, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < drain && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_lock is not null)
                {
                    await _lock.GetAsync(cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogElectionError(logger, "reading the Lease while draining: " + e.Message);
            }

            await Task.Delay(DrainPoll, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose()
    {
        _election.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Hands the Lease over at once if this replica holds it: no holder, the final cursor, a one-second duration (the
    /// library has no release of its own).
    /// </summary>
    private async Task ReleaseAsync(PublishingLeaseLock leaseLock, CancellationToken cancellationToken)
    {
        try
        {
            var current = await leaseLock.GetAsync(cancellationToken);
            if (current.HolderIdentity != leadership.Identity)
            {
                return;
            }

            var now = time.GetUtcNow().UtcDateTime;
            var released = await leaseLock.UpdateAsync(
                new LeaderElectionRecord
                {
                    HolderIdentity = "",
                    LeaseDurationSeconds = 1,
                    AcquireTime = now,
                    RenewTime = now,
                    LeaderTransitions = current.LeaderTransitions,
                },
                cancellationToken);
            LogReleased(logger, leadership.Identity, pool.AllocationCursor, released);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogElectionError(logger, "releasing the Lease: " + e.Message);
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Leader election: candidate {Identity}, serving at {Url}")]
    private static partial void LogCandidate(ILogger logger, string identity, string url);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Leader election: {Identity} is the leader now (previous: {Previous})")]
    private static partial void LogLeading(ILogger logger, string identity, string previous);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Leader election: the leader is {Holder} at {Url}; standing by")]
    private static partial void LogNewLeader(ILogger logger, string holder, string url);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Leader election: {Identity} lost the Lease; standing by")]
    private static partial void LogLost(ILogger logger, string identity);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Leader election: {Identity} released the Lease at cursor {Cursor} (written: {Released})")]
    private static partial void LogReleased(ILogger logger, string identity, KubeMacPool.Core.Addressing.MacAddress cursor, bool released);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Leader election: {Error}")]
    private static partial void LogElectionError(ILogger logger, string error);
}
