using System.Threading.Channels;
using k8s;

namespace KubeMacPool.Manager.Certificates.Rotation;

/// <summary>Wakes the rotator; any number of changes before it runs collapse into one reconcile.</summary>
internal sealed class ChangeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Raise() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a change or until <paramref name="delay"/> passes, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero)
        {
            using var timeout = new CancellationTokenSource(delay, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                await _channel.Reader.WaitToReadAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The delay passed.
            }
        }

        while (_channel.Reader.TryRead(out _))
        {
        }
    }
}

/// <summary>A watch handler that only raises the signal: the rotator reads fresh state itself.</summary>
internal sealed class SignalingHandler<T>(ChangeSignal signal) : Kubernetes.Informers.IResourceEventHandler<T>
{
    public ValueTask OnListedAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        signal.Raise();
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(WatchEventType type, T item, CancellationToken cancellationToken)
    {
        signal.Raise();
        return ValueTask.CompletedTask;
    }
}
