using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Connection;

/// <summary>
/// The connection's single ordered send queue. Adding never blocks (so the read loop can answer requests
/// without awaiting); bulk writers call <see cref="WaitForSpaceAsync"/> to stay within the high-water mark.
/// Drained either by the connection's send loop or, over an SshTransport, by the transport's write loop
/// (as its <see cref="IPacketSource"/>), which <see cref="MessageAdded"/> then wakes.
/// </summary>
internal sealed class OutboundQueue(int highWater) : IPacketSource
{
    // Not SingleReader: Drain (after a failure) may run while the transport's write loop is still taking.
    private readonly Channel<OutboundMessage> _queue = Channel.CreateUnbounded<OutboundMessage>(
        new UnboundedChannelOptions { SingleReader = false, AllowSynchronousContinuations = false });
    private readonly Lock _gate = new();
    private long _bytes;
    private TaskCompletionSource? _space;
    private volatile bool _closed;

    /// <summary>Called after each message is added (the transport's write loop wake-up), if set.</summary>
    public Action? MessageAdded { get; set; }

    /// <summary>Completes once <see cref="Complete"/> (or <see cref="Drain"/>) was called and every message was taken.</summary>
    public Task Completion => _queue.Reader.Completion;

    /// <summary>Queues <paramref name="message"/>; <paramref name="wake"/> false leaves waking the sender to the caller.</summary>
    public void Add(OutboundMessage message, bool wake = true)
    {
        Interlocked.Add(ref _bytes, message.Length);
        if (!_queue.Writer.TryWrite(message))
        {
            // The connection is over; nobody will send this.
            Interlocked.Add(ref _bytes, -message.Length);
            message.Release();
            return;
        }
        if (wake)
            MessageAdded?.Invoke();
    }

    public ValueTask<bool> WaitToReadAsync() => _queue.Reader.WaitToReadAsync();

    public bool TryTake(out OutboundMessage message)
    {
        if (!_queue.Reader.TryRead(out message))
            return false;
        if (Interlocked.Add(ref _bytes, -message.Length) <= highWater / 2)
            ReleaseWaiters();
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _bytes) > highWater && !_closed)
        {
            Task wait;
            lock (_gate)
            {
                _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _space.Task;
            }
            // Re-check: the send loop may have drained the queue before the waiter was published.
            if (Volatile.Read(ref _bytes) <= highWater / 2)
            {
                ReleaseWaiters();
                return;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Complete()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        ReleaseWaiters();
        // The transport's write loop may be waiting for work: let it see the end (and take what is left).
        MessageAdded?.Invoke();
    }

    /// <summary>Returns every still-queued buffer to the pool once the send loop has stopped.</summary>
    public void Drain()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var message))
            message.Release();
        ReleaseWaiters();
    }

    private void ReleaseWaiters()
    {
        // Called for nearly every message taken; the lock is only worth taking when someone waits.
        if (Volatile.Read(ref _space) is null)
            return;
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _space;
            _space = null;
        }
        waiter?.TrySetResult();
    }
}
