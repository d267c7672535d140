using KubeMacPool.Manager.Configuration;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Hosting;

/// <summary>
/// Which replica leads, as this process knows it: the one thing every write path and the admission path consult.
/// Only the leader allocates and writes; the others keep their caches and pool current and forward reviews to
/// <see cref="LeaderUrl"/>. The election (HighAvailability) sets it; everything else only reads it.
/// </summary>
internal sealed class Leadership
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _leading;
    private int _inFlight;

    private readonly TimeProvider _time;

    public Leadership(IOptions<ManagerOptions> options, TimeProvider time)
    {
        _time = time;
        var value = options.Value;
        var name = string.IsNullOrEmpty(value.PodName) ? Environment.MachineName : value.PodName;
        Identity = name + "_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var host = value.PodIp is { Length: > 0 } ip ? ip : value.WebhookAddress is "0.0.0.0" or "::" ? "127.0.0.1" : value.WebhookAddress;
        SelfUrl = $"https://{(host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host)}:{value.WebhookPort}";
    }

    /// <summary>This process in the Lease (<c>holderIdentity</c>) and in the User-Agent of its API requests.</summary>
    public string Identity { get; }

    /// <summary>Where the other replicas reach this one's webhooks.</summary>
    public string SelfUrl { get; }

    public bool IsLeader => Volatile.Read(ref _leading);

    /// <summary>The leader's webhook base URL as last read from the Lease; null while there is none (or it is this process).</summary>
    public string? LeaderUrl { get; private set; }

    /// <summary>When this process last started leading (null: never).</summary>
    public DateTimeOffset? LeadingSince { get; private set; }

    /// <summary>SIGTERM arrived: <c>/readyz</c> fails so the balancer drains, reviews are forwarded.</summary>
    public bool Draining { get; private set; }

    /// <summary>Completes at the next change of leader or of this process's role.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>Waits until this process leads (the write loops start here, and pause here while standing by).</summary>
    public async Task WhenLeaderAsync(CancellationToken cancellationToken)
    {
        while (!IsLeader)
        {
            await Changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Enters work only a leader may do (an admission that may allocate). False: not the leader, forward instead.
    /// Counted first and checked second, so <see cref="StopLeadingAsync"/> sees every entry that got in.
    /// </summary>
    public bool TryEnterLeaderWork()
    {
        Interlocked.Increment(ref _inFlight);
        if (IsLeader)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void ExitLeaderWork() => Interlocked.Decrement(ref _inFlight);

    public void StartLeading()
    {
        LeadingSince = _time.GetUtcNow();
        Set(leading: true, leaderUrl: null);
    }

    /// <summary>Stops allocating at once and waits for admissions already allocating to finish (microseconds each).</summary>
    public async Task StopLeadingAsync(CancellationToken cancellationToken)
    {
        Set(leading: false, leaderUrl: null);
        while (Volatile.Read(ref _inFlight) > 0)
        {
            await Task.Delay(1, cancellationToken);
        }
    }

    /// <summary>The leader the Lease names (null: none, or this process).</summary>
    public void ObserveLeader(string? url)
    {
        if (!string.Equals(url, SelfUrl, StringComparison.Ordinal) && !string.Equals(url, LeaderUrl, StringComparison.Ordinal))
        {
            Set(IsLeader, url);
        }
    }

    public void StartDraining()
    {
        Draining = true;
        Set(IsLeader, LeaderUrl);
    }

    private void Set(bool leading, string? leaderUrl)
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            Volatile.Write(ref _leading, leading);
            LeaderUrl = leaderUrl;
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
