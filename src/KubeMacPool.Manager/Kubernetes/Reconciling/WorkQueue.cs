namespace KubeMacPool.Manager.Kubernetes.Reconciling;

/// <summary>
/// client-go's rate-limited work queue: a key waits in the queue at most once however often it is added; a key being
/// processed is never handed to a second worker (added meanwhile, it is queued again when the first is done);
/// failures are retried after a per-key exponential backoff with jitter, reset by <see cref="Forget"/>.
/// </summary>
internal sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    // A start queues every listed object at once (100,000 keys); once drained, the tables give that room back.
    private const int KeptCapacity = 1024;

    private readonly Lock _lock = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Dictionary<TKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private bool _disposed;

    public WorkQueue(TimeProvider time, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    {
        _time = time;
        _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(200);
        _maxDelay = maxDelay ?? TimeSpan.FromMinutes(2);
    }

    /// <summary>Keys waiting to be taken (not counting those processing or delayed).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_disposed || !_dirty.Add(key))
            {
                return;
            }

            if (!_processing.Contains(key))
            {
                _queue.Enqueue(key);
                _available.Release();
            }
        }
    }

    /// <summary>Adds the key once <paramref name="delay"/> has passed; an earlier pending add of the key wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_lock)
        {
            var due = _time.GetUtcNow() + delay;
            if (_disposed || (_delayed.TryGetValue(key, out var pending) && pending.Due <= due))
            {
                return;
            }

            pending.Timer?.Dispose();
            var timer = _time.CreateTimer(_ => Fire(key), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds the key after its backoff: base × 2^(failures so far), capped, with jitter (half to full).</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(key);
            _failures[key] = Math.Min(failures + 1, 30);
            var ceiling = Math.Min(_maxDelay.TotalMilliseconds, _baseDelay.TotalMilliseconds * Math.Pow(2, failures));
            delay = TimeSpan.FromMilliseconds(ceiling / 2 + (Random.Shared.NextDouble() * ceiling / 2));
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>The key succeeded: its next failure starts the backoff from the beginning.</summary>
    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(TKey key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for a key and marks it processing; the caller must call <see cref="Done"/> with it.</summary>
    public async ValueTask<TKey> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    if (_queue.Count == 0 && _queue.Capacity > KeptCapacity)
                    {
                        _queue.TrimExcess();
                        _dirty.TrimExcess();
                    }

                    return key;
                }
            }
        }
    }

    /// <summary>Processing of the key ended; if it was added meanwhile, it is queued again now.</summary>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_disposed)
            {
                _queue.Enqueue(key);
                _available.Release();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var (_, timer) in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
        }
    }

    private void Fire(TKey key)
    {
        lock (_lock)
        {
            if (_delayed.Remove(key, out var pending))
            {
                pending.Timer.Dispose();
            }
        }

        Add(key);
    }
}
