using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Connection;

/// <summary>
/// One channel (RFC 4254 section 5), the same for either role. Incoming data is exposed as
/// <see cref="Input"/> (and <see cref="ExtendedInput"/> for stderr); outgoing data goes through
/// <see cref="WriteAsync"/> (or <see cref="Output"/>, or <see cref="AsStream"/>), which never exceeds the
/// peer's window or maximum packet. At most one window of incoming data is ever buffered: the peer sending
/// beyond it is a protocol error.
/// </summary>
public sealed class SshChannel : IAsyncDisposable
{
    /// <summary>SSH_EXTENDED_DATA_STDERR.</summary>
    public const uint StderrDataType = 1;

    // Data messages are split at the peer's max packet and at this, whichever is smaller, so one channel cannot
    // monopolise the send queue and every packet stays far below the 256 KiB that every implementation accepts.
    private const int ChunkLimit = 128 * 1024;


    private readonly SshConnection _connection;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ChannelReaderScheduler _readerScheduler;
    private readonly Pipe _input;
    private readonly Pipe _extendedInput;
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _eofReceivedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<TaskCompletionSource<bool>> _pendingReplies = new();
    private readonly uint _windowSize;
    private readonly uint _maxPacket;
    private readonly bool _sendOnWritingThread;
    private long _localWindow;
    private long _unadjusted;
    // A window adjust queued by an inline reader inside Deliver's lock, for Deliver to send once it lets go.
    private bool _windowAdjustUnsent;
    private long _remoteWindow;
    private uint _remoteMaxPacket;
    private TaskCompletionSource? _windowWaiter;
    private long _inputBuffered;
    private long _extendedBuffered;
    private bool _inputReaderDone;
    private bool _extendedReaderDone;
    private bool _inputsCompleted;
    private bool _confirmed;
    private bool _abandoned;
    private bool _eofSent;
    private bool _closeSent;
    private bool _eofReceived;
    private bool _closeReceived;
    private Exception? _terminalError;
    private PipeWriter? _output;
    private PipeWriter? _extendedOutput;

    internal SshChannel(SshConnection connection, uint localId, string channelType, SshChannelOptions options)
    {
        _connection = connection;
        LocalId = localId;
        ChannelType = channelType;
        // Never pauses (the window bounds what is buffered); 64 KiB blocks from a pool that keeps a window's worth,
        // so a steady transfer reuses segments instead of allocating them (see ChannelMemoryPool).
        _readerScheduler = new ChannelReaderScheduler(options.ResumeReaderInline);
        var pipeOptions = new PipeOptions(pool: ChannelMemoryPool.Shared, readerScheduler: _readerScheduler,
            minimumSegmentSize: ChannelMemoryPool.BlockSize, pauseWriterThreshold: 0, resumeWriterThreshold: 0,
            useSynchronizationContext: false);
        _input = new Pipe(pipeOptions);
        _extendedInput = new Pipe(pipeOptions);
        _sendOnWritingThread = options.SendOnWritingThread;
        _windowSize = options.WindowSize;
        _maxPacket = options.MaxPacketSize;
        _localWindow = options.WindowSize;
        Input = new ChannelPipeReader(_input.Reader, this, extended: false);
        ExtendedInput = new ChannelPipeReader(_extendedInput.Reader, this, extended: true);
    }

    /// <summary>Environment.TickCount64 when data last went either way (what ChannelTimeout measures).</summary>
    internal long LastUsed = Environment.TickCount64;

    public uint LocalId { get; }
    public uint RemoteId { get; private set; }
    public string ChannelType { get; }

    /// <summary>The peer's data. Completes (without error) at the peer's EOF or CLOSE.</summary>
    public PipeReader Input { get; }

    /// <summary>The peer's extended data of type 1 (stderr). Other extended types are discarded.</summary>
    public PipeReader ExtendedInput { get; }

    /// <summary>Our data to the peer; completing it drains what was written and then sends EOF.</summary>
    public PipeWriter Output => _output ??= PipeWriter.Create(new ChannelStream(this, null, extended: false, eofOnDispose: true));

    /// <summary>Our stderr (extended data type 1) to the peer; completing it sends nothing further.</summary>
    public PipeWriter ExtendedOutput =>
        _extendedOutput ??= PipeWriter.Create(new ChannelStream(this, null, extended: true, eofOnDispose: false));

    /// <summary>Handles the peer's channel requests (runs on the read loop). Unset: want-reply requests are refused.</summary>
    public Action<SshChannelRequest>? RequestReceived { get; set; }

    /// <summary>Completes when CLOSE went both ways (or the connection ended).</summary>
    public Task Completion => _closed.Task;

    /// <summary>Completes when the peer sent EOF or CLOSE.</summary>
    public Task EofReceived => _eofReceivedSignal.Task;

    /// <summary>Bytes we may still send before the peer adjusts its window.</summary>
    public long RemoteWindow
    {
        get
        {
            lock (_gate)
                return _remoteWindow;
        }
    }

    internal Task Opened => _opened.Task;

    /// <summary>A duplex stream: reads <see cref="Input"/>, writes data; disposing it sends EOF.</summary>
    public Stream AsStream() => new ChannelStream(this, Input, extended: false, eofOnDispose: true);

    /// <summary>Sends data, waiting for window space as needed. Returns once every byte is queued for sending.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(null, data, cancellationToken);

    /// <summary>Sends extended data (type 1 is stderr); it shares the channel's window with normal data.</summary>
    public ValueTask WriteExtendedAsync(ReadOnlyMemory<byte> data, uint dataType = StderrDataType,
        CancellationToken cancellationToken = default) => WriteCoreAsync(dataType, data, cancellationToken);

    /// <summary>
    /// From now on, code awaiting <see cref="Input"/> or <see cref="ExtendedInput"/> resumes on the connection's read
    /// loop, as with <see cref="SshChannelOptions.ResumeReaderInline"/> (see there for when that is safe).
    /// </summary>
    internal void ResumeReadersInline() => _readerScheduler.ResumeInline();

    /// <summary>Sends EOF after every write already under way; further writes fail. Idempotent.</summary>
    public async Task SendEofAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
                EnqueueEofLocked();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Closes gracefully: waits for writes under way, sends EOF (if not yet sent) and CLOSE, then waits for
    /// the peer's CLOSE.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (!_closeReceived)
                    EnqueueEofLocked();
                EnqueueCloseLocked();
            }
        }
        finally
        {
            _writeLock.Release();
        }
        FinishIfClosed();
        await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Closes without waiting for writers or for the peer's answer; pending writes fail.</summary>
    public ValueTask DisposeAsync()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            if (_confirmed)
                EnqueueCloseLocked();
            else
                _abandoned = true;
            waiter = TakeWindowWaiterLocked();
        }
        waiter?.TrySetResult();
        FinishIfClosed();
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends a channel request; with <paramref name="wantReply"/> returns whether the peer accepted it.</summary>
    public async Task<bool> SendRequestAsync(string type, ReadOnlyMemory<byte> data = default, bool wantReply = true,
        CancellationToken cancellationToken = default)
    {
        var message = new SshWriter(32 + type.Length + data.Length);
        message.WriteByte((byte)MessageNumber.ChannelRequest).WriteUInt32(RemoteId).WriteString(type)
            .WriteBoolean(wantReply).WriteRaw(data.Span);
        var reply = wantReply ? new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        lock (_gate)
        {
            if (_terminalError is not null || _closeSent || _closeReceived)
            {
                message.Dispose();
                throw ClosedException();
            }
            if (reply is not null)
                _pendingReplies.Enqueue(reply);
            _connection.Enqueue(message);
        }
        return reply is null || await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // ---- sending ----------------------------------------------------------------------------------

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteCoreAsync(uint? dataType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        // On the writing thread, the packets of one write are sent together (the write loop packs them into as
        // few socket writes as its buffer allows): before any wait, and after the last.
        bool unsent = false;
        try
        {
            int header = dataType is null ? 9 : 13;
            while (!data.IsEmpty)
            {
                var reserve = ReserveWindowAsync(data.Length, cancellationToken);
                if (unsent && !reserve.IsCompleted)
                {
                    _connection.SendQueuedData();
                    unsent = false;
                }
                int count = await reserve.ConfigureAwait(false);
                var buffer = SshBufferPool.Shared.Rent(header + count);
                var span = buffer.AsSpan();
                span[0] = (byte)(dataType is null ? MessageNumber.ChannelData : MessageNumber.ChannelExtendedData);
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], RemoteId);
                if (dataType is uint type)
                    BinaryPrimitives.WriteUInt32BigEndian(span[5..], type);
                BinaryPrimitives.WriteUInt32BigEndian(span[(header - 4)..], (uint)count);
                data.Span[..count].CopyTo(span[header..]);
                lock (_gate)
                {
                    if (_terminalError is not null || _closeSent || _closeReceived || _eofSent)
                    {
                        SshBufferPool.Shared.Return(buffer);
                        throw _eofSent && !_closeSent && !_closeReceived && _terminalError is null
                            ? new InvalidOperationException("EOF was already sent on this channel") : ClosedException();
                    }
                    _connection.EnqueueData(buffer, header + count, wake: !_sendOnWritingThread);
                }
                LastUsed = Environment.TickCount64;
                unsent = _sendOnWritingThread;
                data = data[count..];
                var space = _connection.WaitForOutboundSpaceAsync(cancellationToken);
                if (unsent && !space.IsCompleted)
                {
                    _connection.SendQueuedData();
                    unsent = false;
                }
                await space.ConfigureAwait(false);
            }
        }
        finally
        {
            if (unsent)
                _connection.SendQueuedData();
            _writeLock.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReserveWindowAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_terminalError is not null || _closeSent || _closeReceived)
                    throw ClosedException();
                if (_eofSent)
                    throw new InvalidOperationException("EOF was already sent on this channel");
                if (_remoteWindow > 0)
                {
                    int count = (int)Math.Min(Math.Min(wanted, _remoteWindow), Math.Min(Math.Max(_remoteMaxPacket, 1u), ChunkLimit));
                    _remoteWindow -= count;
                    return count;
                }
                _windowWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _windowWaiter.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void EnqueueEofLocked()
    {
        if (_eofSent || _closeSent || _terminalError is not null)
            return;
        _eofSent = true;
        var message = new SshWriter(8);
        message.WriteByte((byte)MessageNumber.ChannelEof).WriteUInt32(RemoteId);
        _connection.Enqueue(message);
    }

    private void EnqueueCloseLocked()
    {
        if (_closeSent || _terminalError is not null)
            return;
        _closeSent = true;
        var message = new SshWriter(8);
        message.WriteByte((byte)MessageNumber.ChannelClose).WriteUInt32(RemoteId);
        _connection.Enqueue(message);
    }

    internal void SendRequestReply(bool success)
    {
        lock (_gate)
        {
            if (_closeSent || _terminalError is not null)
                return;
            var message = new SshWriter(8);
            message.WriteByte((byte)(success ? MessageNumber.ChannelSuccess : MessageNumber.ChannelFailure)).WriteUInt32(RemoteId);
            _connection.Enqueue(message);
        }
    }

    // ---- receiving (called on the read loop) ------------------------------------------------------

    internal void OnData(ReadOnlyMemory<byte> data)
    {
        // Larger than the maximum packet we announced: OpenSSH's channels.c logs it and drops it, window untouched.
        if (data.Length > _maxPacket)
        {
            ConnectionLog.BigPacket(_connection.Logger, LocalId, data.Length, _maxPacket);
            return;
        }
        Deliver(extended: false, data);
    }

    internal void OnExtendedData(uint dataType, ReadOnlyMemory<byte> data)
    {
        if (dataType == StderrDataType)
        {
            Deliver(extended: true, data);
            return;
        }
        ChargeWindow(data.Length);
        ConsumedUnbuffered(data.Length);
    }

    /// <summary>Copies the data into the input pipe (synchronously: the payload is only valid during the call).</summary>
    private void Deliver(bool extended, ReadOnlyMemory<byte> data)
    {
        LastUsed = Environment.TickCount64;
        bool delivered, adjustUnsent;
        lock (_gate)
        {
            delivered = DeliverLocked(extended, data);
            // An inline reader ran inside the flush, under this lock, and may have queued a window adjust.
            adjustUnsent = _windowAdjustUnsent;
            _windowAdjustUnsent = false;
        }
        if (adjustUnsent)
            _connection.SendWindowAdjust(fromInlineReader: true);
        // Nobody will read it: count it consumed at once so the peer is not stalled.
        if (!delivered)
            ConsumedUnbuffered(data.Length);
    }

    private bool DeliverLocked(bool extended, ReadOnlyMemory<byte> data)
    {
        ChargeWindowLocked(data.Length);
        bool readerDone = extended ? _extendedReaderDone : _inputReaderDone;
        if (readerDone || _inputsCompleted || _closeSent)
            return false;
        var pipe = extended ? _extendedInput : _input;
        pipe.Writer.Write(data.Span);
        if (extended)
            _extendedBuffered += data.Length;
        else
            _inputBuffered += data.Length;
        // The pipes never pause (pauseWriterThreshold 0: the window bounds them), so the flush completes
        // synchronously; it only wakes the reader (which, resumed inline, runs here).
        var flush = pipe.Writer.FlushAsync();
        Debug.Assert(flush.IsCompleted, "a pipe without a pause threshold flushes synchronously");
        flush.GetAwaiter().GetResult();
        return true;
    }

    private void ChargeWindow(int length)
    {
        lock (_gate)
            ChargeWindowLocked(length);
    }

    private void ChargeWindowLocked(int length)
    {
        if (length > _localWindow)
            throw new SshProtocolException($"channel {LocalId}: peer sent {length} bytes with only {_localWindow} left in the window");
        _localWindow -= length;
    }

    /// <summary>The application consumed <paramref name="count"/> bytes: reopen the window once half of it is used.</summary>
    internal void OnConsumed(long count, bool extended)
    {
        if (count <= 0)
            return;
        bool adjusted;
        lock (_gate)
        {
            if (extended)
                _extendedBuffered -= count;
            else
                _inputBuffered -= count;
            adjusted = AddConsumedLocked(count);
        }
        if (!adjusted)
            return;
        // A reader resumed inline usually consumes inside Deliver's flush, which holds this channel's lock: the
        // adjust then goes out once Deliver lets go of it (nothing is sent while a lock is held).
        if (_gate.IsHeldByCurrentThread)
            _windowAdjustUnsent = true;
        else
            _connection.SendWindowAdjust(fromInlineReader: _readerScheduler.IsInline);
    }

    /// <summary>Bytes that never reached a reader (discarded) still reopen the window.</summary>
    private void ConsumedUnbuffered(long count)
    {
        if (count <= 0)
            return;
        bool adjusted;
        lock (_gate)
            adjusted = AddConsumedLocked(count);
        if (adjusted)
            _connection.SendWindowAdjust(fromInlineReader: false);
    }

    /// <summary>True when a window adjust was queued (not yet sent: the caller sends it once it holds no lock).</summary>
    private bool AddConsumedLocked(long count)
    {
        _unadjusted += count;
        if (_unadjusted < _windowSize / 2 || _closeSent || _closeReceived || _eofReceived || _terminalError is not null)
            return false;
        uint grant = (uint)_unadjusted;
        _localWindow += grant;
        _unadjusted = 0;
        var message = new SshWriter(12);
        message.WriteByte((byte)MessageNumber.ChannelWindowAdjust).WriteUInt32(RemoteId).WriteUInt32(grant);
        _connection.EnqueueWindowAdjust(message);
        return true;
    }

    internal void OnReaderCompleted(bool extended)
    {
        long unread;
        lock (_gate)
        {
            if (extended)
            {
                _extendedReaderDone = true;
                unread = _extendedBuffered;
                _extendedBuffered = 0;
            }
            else
            {
                _inputReaderDone = true;
                unread = _inputBuffered;
                _inputBuffered = 0;
            }
        }
        // Buffered bytes the application will never read still count as consumed.
        ConsumedUnbuffered(unread);
    }

    internal void OnWindowAdjust(uint bytes)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            // A window is a uint32: a peer adjusting it past 2^32-1 is broken or hostile, and OpenSSH ends the
            // connection (channels.c), in these words.
            if (_remoteWindow + bytes > uint.MaxValue)
                throw new SshProtocolException($"channel {LocalId}: adjust {bytes} overflows remote window {_remoteWindow}");
            _remoteWindow += bytes;
            waiter = TakeWindowWaiterLocked();
        }
        waiter?.TrySetResult();
    }

    internal void OnEof()
    {
        lock (_gate)
        {
            _eofReceived = true;
            CompleteInputsLocked(null);
        }
        _eofReceivedSignal.TrySetResult();
    }

    internal void OnClose()
    {
        TaskCompletionSource? waiter;
        TaskCompletionSource<bool>[] replies;
        lock (_gate)
        {
            _closeReceived = true;
            CompleteInputsLocked(null);
            EnqueueCloseLocked();
            waiter = TakeWindowWaiterLocked();
            replies = [.. _pendingReplies];
            _pendingReplies.Clear();
        }
        waiter?.TrySetResult();
        foreach (var reply in replies)
            reply.TrySetException(ClosedException());
        _eofReceivedSignal.TrySetResult();
        FinishIfClosed();
    }

    internal void OnRequest(string type, bool wantReply, byte[] data)
    {
        var request = new SshChannelRequest(this, type, wantReply, data);
        if (RequestReceived is { } handler)
            handler(request);
        else
            request.Reply(false);
    }

    internal void OnRequestReply(bool success)
    {
        TaskCompletionSource<bool>? reply;
        lock (_gate)
            _pendingReplies.TryDequeue(out reply);
        if (reply is null)
            throw new SshProtocolException($"channel {LocalId}: request reply without a request");
        reply.TrySetResult(success);
    }

    internal void OnOpenConfirmed(uint remoteId, uint window, uint maxPacket)
    {
        bool abandoned;
        lock (_gate)
        {
            if (_confirmed)
                throw new SshProtocolException($"channel {LocalId}: open confirmation for an open channel");
            _confirmed = true;
            RemoteId = remoteId;
            _remoteWindow = window;
            _remoteMaxPacket = maxPacket;
            abandoned = _abandoned;
            if (abandoned)
                EnqueueCloseLocked();
        }
        _opened.TrySetResult();
    }

    internal void OnOpenFailed(ChannelOpenFailureReason reason, string description)
    {
        lock (_gate)
        {
            if (_confirmed)
                throw new SshProtocolException($"channel {LocalId}: open failure for an open channel");
            _terminalError = new SshChannelOpenException(reason, description);
            CompleteInputsLocked(null);
        }
        _opened.TrySetException(_terminalError);
        _eofReceivedSignal.TrySetResult();
        _closed.TrySetResult();
    }

    internal void AbandonOpen()
    {
        lock (_gate)
        {
            if (_confirmed)
                EnqueueCloseLocked();
            else
                _abandoned = true;
        }
    }

    internal void OnConnectionLost(Exception error)
    {
        TaskCompletionSource? waiter;
        TaskCompletionSource<bool>[] replies;
        lock (_gate)
        {
            _terminalError ??= error;
            CompleteInputsLocked(error);
            waiter = TakeWindowWaiterLocked();
            replies = [.. _pendingReplies];
            _pendingReplies.Clear();
        }
        waiter?.TrySetResult();
        foreach (var reply in replies)
            reply.TrySetException(error);
        _opened.TrySetException(error);
        _eofReceivedSignal.TrySetResult();
        _closed.TrySetResult();
    }

    private void CompleteInputsLocked(Exception? error)
    {
        if (_inputsCompleted)
            return;
        _inputsCompleted = true;
        _input.Writer.Complete(error);
        _extendedInput.Writer.Complete(error);
    }

    private TaskCompletionSource? TakeWindowWaiterLocked()
    {
        var waiter = _windowWaiter;
        _windowWaiter = null;
        return waiter;
    }

    private void FinishIfClosed()
    {
        lock (_gate)
        {
            if (!_closeSent || !_closeReceived)
                return;
        }
        _connection.Forget(this);
        _closed.TrySetResult();
    }

    private SshException ClosedException() => _terminalError as SshException
        ?? new SshException($"channel {LocalId}: the channel is closed");
}
