using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Lucid.Ssh.Transport;

/// <summary>
/// Handing received messages up: through the bounded <c>_incoming</c> queue to <see cref="ReceiveAsync"/>
/// (key exchange and authentication), or, once a layer has attached an <see cref="IPacketSink"/>, straight from
/// the read loop to it.
/// </summary>
public sealed partial class SshTransport
{
    // Taken by the read loop for every packet it hands up once a sink is attached, and by AttachSink while it
    // moves what was queued before: so the sink sees messages in order, never two at once.
    private readonly Lock _sinkGate = new();
    private IPacketSink? _sink;
    private int _sinkClosed;

    /// <remarks>
    /// With a token that cannot be cancelled the wait reuses the queue's single waiter (no allocation per
    /// packet); the queue completes on every failure and on disposal, so such a wait always ends.
    /// </remarks>
    public ValueTask<SshPacket> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (_incoming.Reader.TryRead(out var packet))
            return new ValueTask<SshPacket>(packet);
        return ReceiveSlowAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SshPacket> ReceiveSlowAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _incoming.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            ThrowIfFailed();
            throw new SshConnectionException("connection closed");
        }
    }

    /// <summary>
    /// From now on the read loop hands every message to <paramref name="sink"/> instead of queueing it for
    /// <see cref="ReceiveAsync"/> (which must no longer be called). Messages already queued go to the sink first.
    /// </summary>
    internal void AttachSink(IPacketSink sink)
    {
        lock (_sinkGate)
        {
            if (_sink is not null)
                throw new InvalidOperationException("a packet sink is already attached");
            _sink = sink;
            try
            {
                DrainQueuedToSinkLocked();
            }
            catch (Exception e)
            {
                // As if the read loop had hit it: the peer is told why (for a protocol error) and the transport ends.
                _ = FailWithDisconnectAsync(e);
            }
        }
        // A transport that failed before the sink was attached never told it; tell it now (CloseSink runs once).
        if (_failure is { } failure)
            CloseSink(failure);
    }

    /// <summary>Read loop: hands one message up (payload valid until the next read).</summary>
    private ValueTask DeliverAsync(ReadOnlyMemory<byte> payload)
    {
        if (Volatile.Read(ref _sink) is { } sink)
        {
            lock (_sinkGate)
                sink.OnPacket(payload);
            return ValueTask.CompletedTask;
        }
        var packet = SshPacket.Copy(payload.Span);
        if (!_incoming.Writer.TryWrite(packet))
            return DeliverSlowAsync(packet);
        DrainIfSinkAttached();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// After queueing: a sink attached between the check above and the write would never see this packet
    /// (AttachSink may have drained the queue just before it), so the read loop hands over what is queued.
    /// </summary>
    private void DrainIfSinkAttached()
    {
        if (Volatile.Read(ref _sink) is not null)
        {
            lock (_sinkGate)
                DrainQueuedToSinkLocked();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DeliverSlowAsync(SshPacket packet)
    {
        try
        {
            // No token: Fail completes the queue, which ends this wait; a cancellable one allocates per packet.
            await _incoming.Writer.WriteAsync(packet, CancellationToken.None);
        }
        catch
        {
            packet.Dispose();
            throw;
        }
        // A sink attached while this waited for room: what is queued (this packet included) is the sink's.
        DrainIfSinkAttached();
    }

    private void DrainQueuedToSinkLocked()
    {
        while (_incoming.Reader.TryRead(out var queued))
        {
            using (queued)
                _sink!.OnPacket(queued.PayloadMemory);
        }
    }

    private void CloseSink(Exception error)
    {
        IPacketSink? sink;
        lock (_sinkGate)
            sink = _sink;
        if (sink is not null && Interlocked.Exchange(ref _sinkClosed, 1) == 0)
            sink.OnTransportClosed(error);
    }
}
