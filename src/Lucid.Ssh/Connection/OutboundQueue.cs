using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Connection;

/// <summary>One message waiting for the send loop: either a small control message or a pooled data buffer.</summary>
internal readonly struct OutboundMessage(SshWriter? writer, byte[]? pooled, int length)
{
    public int Length => length;

    /// <summary>The pooled data buffer (from SshBufferPool), or null for a control message.</summary>
    public byte[]? Pooled => pooled;

    public ReadOnlyMemory<byte> Payload => writer is not null ? writer.WrittenMemory : pooled.AsMemory(0, length);

    public void Release()
    {
        writer?.Dispose();
        if (pooled is not null)
            SshBufferPool.Shared.Return(pooled);
    }
}

/// <summary>
/// The connection's single ordered send queue. Adding never blocks (so the read loop can answer requests
/// without awaiting); bulk writers call <see cref="WaitForSpaceAsync"/> to stay within the high-water mark.
/// </summary>
internal sealed class OutboundQueue(int highWater)
{
    private readonly Channel<OutboundMessage> _queue = Channel.CreateUnbounded<OutboundMessage>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly Lock _gate = new();
    private long _bytes;
    private TaskCompletionSource? _space;
    private volatile bool _closed;

    public void Add(OutboundMessage message)
    {
        Interlocked.Add(ref _bytes, message.Length);
        if (!_queue.Writer.TryWrite(message))
        {
            // The connection is over; nobody will send this.
            Interlocked.Add(ref _bytes, -message.Length);
            message.Release();
        }
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
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _space;
            _space = null;
        }
        waiter?.TrySetResult();
    }
}
