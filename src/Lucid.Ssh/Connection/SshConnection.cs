using System.Buffers;
using System.Text;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lucid.Ssh.Connection;

/// <summary>
/// The connection protocol (RFC 4254) over an authenticated transport, the same for client and server:
/// one read loop dispatches by channel id, one send loop drains an ordered outbound queue. Messages are
/// put on the queue synchronously under each channel's lock, so a channel's data, EOF and CLOSE reach the
/// wire in the order they were decided, and nothing is ever sent for a channel after its CLOSE.
/// </summary>
public sealed partial class SshConnection : IAsyncDisposable, IPacketSink
{
    // Writers may run this far ahead of the send loop before they wait; the window bounds each channel anyway.
    private const int OutboundHighWater = 1024 * 1024;

    private readonly IPacketConnection _transport;
    private readonly ILogger _logger;
    private readonly OutboundQueue _outbound;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, SshChannel> _channels = [];
    private readonly Queue<TaskCompletionSource<SshGlobalRequestReply>> _pendingGlobalReplies = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // With an SshTransport the transport's read loop dispatches (see IPacketSink); this completes when it ends.
    private readonly TaskCompletionSource _sinkClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _nextChannelId;
    private Task? _readLoop;
    private Task? _sendLoop;
    private Exception? _failure;
    private int _disposed;

    public SshConnection(IPacketConnection transport, SshChannelOptions? channelOptions = null, ILogger? logger = null)
    {
        _transport = transport;
        _logger = logger ?? NullLogger.Instance;
        ChannelOptions = channelOptions ?? SshChannelOptions.Default;
        ChannelOptions.Validate();
        _outbound = new OutboundQueue(OutboundHighWater);
    }

    /// <summary>Window and packet sizes advertised for channels opened or accepted without explicit options.</summary>
    public SshChannelOptions ChannelOptions { get; }

    /// <summary>Called on the read loop for each CHANNEL_OPEN from the peer. Unset: every open is refused.</summary>
    public Action<SshChannelOpenRequest>? ChannelOpenReceived { get; set; }

    /// <summary>
    /// Answers global requests the connection does not handle itself; returns whether the request succeeded.
    /// Unset (or returning false): the peer gets REQUEST_FAILURE, which is also the right answer to keepalives.
    /// </summary>
    public Func<SshGlobalRequest, bool>? GlobalRequestReceived { get; set; }

    /// <summary>
    /// Answers global requests asynchronously, with a payload if the request needs one (tcpip-forward's bound
    /// port). Takes precedence over <see cref="GlobalRequestReceived"/>. Called on the read loop (it must not
    /// block before its first await); replies still go out in the order the requests came, as RFC 4254
    /// section 4 requires, however the handlers' completions interleave. A handler that throws answers failure.
    /// </summary>
    public Func<SshGlobalRequest, ValueTask<SshGlobalRequestReply>>? GlobalRequestHandler { get; set; }

    /// <summary>Completes when the connection ends: normally after DisposeAsync, faulted when the peer or the network failed.</summary>
    public Task Completion => _completion.Task;

    internal ILogger Logger => _logger;

    /// <summary>Starts the read and send loops. Call once, after authentication.</summary>
    public void Start()
    {
        if (_readLoop is not null)
            throw new InvalidOperationException("the connection is already started");
        if (_transport is SshTransport transport)
        {
            // The transport's loops work for the connection directly: its write loop drains our queue and its
            // read loop dispatches to us, with no relay loop, copy or thread hop per packet in between.
            _sendLoop = _outbound.Completion;
            _readLoop = _sinkClosed.Task;
            _outbound.MessageAdded = transport.WakeWriter;
            transport.AttachSource(_outbound);
            transport.AttachSink(this);
        }
        else
        {
            _sendLoop = Task.Run(SendLoopAsync);
            _readLoop = Task.Run(ReadLoopAsync);
        }
    }

    /// <summary>Opens a channel of <paramref name="channelType"/>; throws SshChannelOpenException when the peer refuses.</summary>
    public Task<SshChannel> OpenChannelAsync(string channelType, ReadOnlyMemory<byte> typeData = default,
        SshChannelOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenChannelCoreAsync(channelType, typeData, options, null, cancellationToken);

    /// <summary>Opens a "session" channel (RFC 4254 section 6.1).</summary>
    public async Task<SshSession> OpenSessionAsync(SshChannelOptions? options = null, CancellationToken cancellationToken = default)
    {
        SshSession? session = null;
        // The session hooks its request handler before the open is sent, so no early exit-status can slip past it.
        await OpenChannelCoreAsync("session", default, options, c => session = new SshSession(c), cancellationToken).ConfigureAwait(false);
        return session!;
    }

    private async Task<SshChannel> OpenChannelCoreAsync(string channelType, ReadOnlyMemory<byte> typeData,
        SshChannelOptions? options, Action<SshChannel>? prepare, CancellationToken cancellationToken)
    {
        options ??= ChannelOptions;
        options.Validate();
        SshChannel channel;
        lock (_gate)
        {
            ThrowIfFailed();
            channel = new SshChannel(this, AllocateChannelId(), channelType, options);
            _channels.Add(channel.LocalId, channel);
        }
        prepare?.Invoke(channel);
        var message = new SshWriter(64 + typeData.Length);
        message.WriteByte((byte)MessageNumber.ChannelOpen).WriteString(channelType).WriteUInt32(channel.LocalId)
            .WriteUInt32(options.WindowSize).WriteUInt32(options.MaxPacketSize).WriteRaw(typeData.Span);
        Enqueue(message);
        LogChannelOpening(channel.LocalId, channelType);
        try
        {
            await channel.Opened.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The confirmation may still come; the channel then closes itself instead of leaking on the peer.
            channel.AbandonOpen();
            throw;
        }
        return channel;
    }

    /// <summary>Sends SSH_MSG_GLOBAL_REQUEST; without <paramref name="wantReply"/> the returned reply is a success with no data.</summary>
    public async Task<SshGlobalRequestReply> SendGlobalRequestAsync(string name, ReadOnlyMemory<byte> data = default,
        bool wantReply = true, CancellationToken cancellationToken = default)
    {
        var message = new SshWriter(32 + name.Length + data.Length);
        message.WriteByte((byte)MessageNumber.GlobalRequest).WriteString(name).WriteBoolean(wantReply).WriteRaw(data.Span);
        if (!wantReply)
        {
            lock (_gate)
            {
                ThrowIfFailed();
                Enqueue(message);
            }
            return new SshGlobalRequestReply(true, default);
        }
        var reply = new TaskCompletionSource<SshGlobalRequestReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfFailed();
            // Replies come in request order, so the waiter joins the queue in the same step as the message.
            _pendingGlobalReplies.Enqueue(reply);
            Enqueue(message);
        }
        return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Flushes what is queued, stops both loops and disconnects (reason "by application").</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _outbound.Complete();
        if (_sendLoop is not null)
            await _sendLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await _transport.DisconnectAsync(DisconnectReason.ByApplication, "disconnected by user").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Already gone: nothing left to tell the peer.
        }
        _shutdown.Cancel();
        if (_readLoop is not null)
            await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Fail(null);
        _shutdown.Dispose();
    }

    // ---- outbound ---------------------------------------------------------------------------------

    internal void Enqueue(SshWriter message) => _outbound.Add(new OutboundMessage(message, null, message.Length));

    /// <summary>
    /// A window adjust, queued by a channel under its lock without waking the sender; the channel calls
    /// <see cref="SendWindowAdjust"/> once it holds no lock.
    /// </summary>
    internal void EnqueueWindowAdjust(SshWriter message) =>
        _outbound.Add(new OutboundMessage(message, null, message.Length), wake: false);

    /// <summary>
    /// Sends a queued window adjust. For a channel reader resumed inline, on an event-loop thread (a server's read
    /// loop, whose socket never blocks it), the idle write loop runs right here: 12 bytes sealed and one
    /// non-blocking send, where waking a pool thread for it cost a hand-off (and, on two cores, the wake-up of a
    /// second worker) about every megabyte of an upload. Behind a read loop with a thread of its own (`lucid ssh`),
    /// whose sends block, and for any other reader, the write loop is woken as before.
    /// </summary>
    internal void SendWindowAdjust(bool fromInlineReader)
    {
        if (_transport is not SshTransport transport)
            return; // the send loop's queue wait has already been woken by the add
        if (fromInlineReader && !transport.ReadsOnOwnThread)
            transport.RunWriterHere();
        else
            transport.WakeWriter();
    }

    /// <summary>
    /// A channel's data. With <paramref name="wake"/> false the sender is not woken: the channel calls
    /// <see cref="SendQueuedData"/> once it holds no lock.
    /// </summary>
    internal void EnqueueData(byte[] pooled, int length, bool wake) =>
        _outbound.Add(new OutboundMessage(null, pooled, length), wake);

    /// <summary>
    /// Sends what <see cref="EnqueueData"/> queued. Over an SshTransport the write loop, when idle, runs on the
    /// calling thread: the data is encrypted and sent before the call returns (or handed on, if the socket is full).
    /// </summary>
    internal void SendQueuedData()
    {
        if (_transport is SshTransport transport)
            transport.RunWriterHere();
    }

    /// <summary>Waits while the outbound queue is over its high-water mark (back-pressure for bulk writers).</summary>
    internal ValueTask WaitForOutboundSpaceAsync(CancellationToken cancellationToken) => _outbound.WaitForSpaceAsync(cancellationToken);

    private async Task SendLoopAsync()
    {
        try
        {
            while (await _outbound.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_outbound.TryTake(out var message))
                {
                    try
                    {
                        await _transport.SendAsync(message.Payload, _shutdown.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        message.Release();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_shutdown.IsCancellationRequested)
        {
            Fail(ex);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _outbound.Drain();
        }
    }

    // ---- inbound ----------------------------------------------------------------------------------

    private async Task ReadLoopAsync()
    {
        var token = _shutdown.Token;
        try
        {
            while (true)
            {
                var packet = await _transport.ReceiveAsync(token).ConfigureAwait(false);
                try
                {
                    Dispatch(packet.PayloadMemory);
                }
                finally
                {
                    packet.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            Fail(null);
        }
        catch (SshProtocolException ex)
        {
            LogProtocolError(ex.Message);
            try
            {
                await _transport.DisconnectAsync(ex.Reason, ex.Message).ConfigureAwait(false);
            }
            catch (Exception inner) when (inner is SshException or IOException or ObjectDisposedException or OperationCanceledException)
            {
            }
            Fail(ex);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    void IPacketSink.OnPacket(ReadOnlyMemory<byte> payload)
    {
        if (_completion.Task.IsCompleted)
            return; // ended (by a failure or disposal) while the transport still reads: nobody left to act on it
        Dispatch(payload);
    }

    void IPacketSink.OnTransportClosed(Exception error)
    {
        if (error is ObjectDisposedException)
            error = new SshConnectionException("connection closed", error);
        if (error is SshProtocolException protocol)
            LogProtocolError(protocol.Message);
        // Our own DisposeAsync closing the transport is a clean end, not a failure.
        Fail(Volatile.Read(ref _disposed) != 0 && error is SshConnectionException ? null : error);
        // Nothing will send what is still queued: return its buffers (this also completes _outbound.Completion).
        _outbound.Drain();
        _sinkClosed.TrySetResult();
    }

    /// <summary>One incoming message (valid only during the call; whatever is kept is copied).</summary>
    private void Dispatch(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        var type = (MessageNumber)span[0];
        var reader = new SshReader(span[1..]);
        switch (type)
        {
            case MessageNumber.ChannelData:
                {
                    var channel = Lookup(reader.ReadUInt32(), "data");
                    var data = reader.ReadString();
                    reader.EnsureAtEnd();
                    channel.OnData(payload[(span.Length - data.Length)..]);
                    break;
                }
            case MessageNumber.ChannelExtendedData:
                {
                    var channel = Lookup(reader.ReadUInt32(), "extended data");
                    uint dataType = reader.ReadUInt32();
                    var data = reader.ReadString();
                    reader.EnsureAtEnd();
                    channel.OnExtendedData(dataType, payload[(span.Length - data.Length)..]);
                    break;
                }
            case MessageNumber.ChannelWindowAdjust:
                {
                    var channel = Lookup(reader.ReadUInt32(), "window adjust");
                    channel.OnWindowAdjust(reader.ReadUInt32());
                    break;
                }
            case MessageNumber.ChannelEof:
                Lookup(reader.ReadUInt32(), "eof").OnEof();
                break;
            case MessageNumber.ChannelClose:
                Lookup(reader.ReadUInt32(), "close").OnClose();
                break;
            case MessageNumber.ChannelRequest:
                {
                    var channel = Lookup(reader.ReadUInt32(), "request");
                    string requestType = ReadAscii(ref reader);
                    bool wantReply = reader.ReadBoolean();
                    channel.OnRequest(requestType, wantReply, reader.RemainingSpan.ToArray());
                    break;
                }
            case MessageNumber.ChannelSuccess:
            case MessageNumber.ChannelFailure:
                Lookup(reader.ReadUInt32(), "request reply").OnRequestReply(type == MessageNumber.ChannelSuccess);
                break;
            case MessageNumber.ChannelOpen:
                OnChannelOpen(ref reader);
                break;
            case MessageNumber.ChannelOpenConfirmation:
                {
                    var channel = Lookup(reader.ReadUInt32(), "open confirmation");
                    uint remoteId = reader.ReadUInt32();
                    uint window = reader.ReadUInt32();
                    uint maxPacket = reader.ReadUInt32();
                    channel.OnOpenConfirmed(remoteId, window, maxPacket);
                    break;
                }
            case MessageNumber.ChannelOpenFailure:
                {
                    uint localId = reader.ReadUInt32();
                    var channel = Lookup(localId, "open failure");
                    var reason = (ChannelOpenFailureReason)reader.ReadUInt32();
                    string description = reader.ReadUtf8String();
                    lock (_gate)
                        _channels.Remove(localId);
                    channel.OnOpenFailed(reason, description);
                    break;
                }
            case MessageNumber.GlobalRequest:
                OnGlobalRequest(ref reader);
                break;
            case MessageNumber.RequestSuccess:
            case MessageNumber.RequestFailure:
                {
                    TaskCompletionSource<SshGlobalRequestReply>? waiter;
                    lock (_gate)
                        _pendingGlobalReplies.TryDequeue(out waiter);
                    if (waiter is null)
                        throw new SshProtocolException("global request reply without a request");
                    waiter.TrySetResult(new SshGlobalRequestReply(type == MessageNumber.RequestSuccess,
                        reader.RemainingSpan.ToArray()));
                    break;
                }
            default:
                // EXT_INFO after authentication, a late banner, or something the transport let through: not ours.
                LogIgnoredMessage((byte)type);
                break;
        }
    }

    private void OnChannelOpen(ref SshReader reader)
    {
        string type = ReadAscii(ref reader);
        uint sender = reader.ReadUInt32();
        uint window = reader.ReadUInt32();
        uint maxPacket = reader.ReadUInt32();
        var request = new SshChannelOpenRequest(this, type, sender, window, maxPacket, reader.RemainingSpan.ToArray());
        var handler = ChannelOpenReceived;
        if (handler is null)
        {
            request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed");
            return;
        }
        handler(request);
    }

    private void OnGlobalRequest(ref SshReader reader)
    {
        string name = ReadAscii(ref reader);
        bool wantReply = reader.ReadBoolean();
        var request = new SshGlobalRequest(name, wantReply, reader.RemainingSpan.ToArray());
        // OpenSSH's hostkeys-00 announces the server's other host keys; updating known_hosts from it is not done here.
        ValueTask<SshGlobalRequestReply> answer;
        if (name == "hostkeys-00@openssh.com")
            answer = ValueTask.FromResult(SshGlobalRequestReply.Failure);
        else if (GlobalRequestHandler is { } handler)
        {
            try
            {
                answer = handler(request);
            }
            catch (Exception e) when (e is not SshProtocolException)
            {
                LogGlobalRequestHandlerFailed(name, e.Message);
                answer = ValueTask.FromResult(SshGlobalRequestReply.Failure);
            }
        }
        else
            answer = ValueTask.FromResult(new SshGlobalRequestReply(GlobalRequestReceived?.Invoke(request) ?? false, default));

        // Only the read loop touches the chain, so no lock: a reply waits for every earlier one to be queued.
        if (answer.IsCompletedSuccessfully && _globalReplies.IsCompleted)
            SendGlobalReply(request, answer.Result);
        else
            _globalReplies = ReplyInOrderAsync(_globalReplies, answer.AsTask(), request);
    }

    // The last pending global reply: requests answered asynchronously are replied to in arrival order.
    private Task _globalReplies = Task.CompletedTask;

    private async Task ReplyInOrderAsync(Task previous, Task<SshGlobalRequestReply> answer, SshGlobalRequest request)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        SshGlobalRequestReply reply;
        try
        {
            reply = await answer.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogGlobalRequestHandlerFailed(request.Name, e.Message);
            reply = SshGlobalRequestReply.Failure;
        }
        SendGlobalReply(request, reply);
    }

    private void SendGlobalReply(SshGlobalRequest request, SshGlobalRequestReply reply)
    {
        LogGlobalRequest(request.Name, request.WantReply, reply.Success);
        if (!request.WantReply)
            return;
        var message = new SshWriter(8 + (reply.Success ? reply.Data.Length : 0));
        message.WriteByte((byte)(reply.Success ? MessageNumber.RequestSuccess : MessageNumber.RequestFailure));
        if (reply.Success)
            message.WriteRaw(reply.Data.Span);
        Enqueue(message);
    }

    internal SshChannel AcceptChannel(SshChannelOpenRequest request, SshChannelOptions options, Action<SshChannel>? beforeConfirmation = null)
    {
        options.Validate();
        SshChannel channel;
        lock (_gate)
        {
            ThrowIfFailed();
            channel = new SshChannel(this, AllocateChannelId(), request.ChannelType, options);
            _channels.Add(channel.LocalId, channel);
        }
        channel.OnOpenConfirmed(request.SenderChannel, request.InitialWindow, request.MaxPacket);
        // Before the confirmation is queued: the peer cannot send the channel a request before it has seen it.
        beforeConfirmation?.Invoke(channel);
        var message = new SshWriter(32);
        message.WriteByte((byte)MessageNumber.ChannelOpenConfirmation).WriteUInt32(request.SenderChannel)
            .WriteUInt32(channel.LocalId).WriteUInt32(options.WindowSize).WriteUInt32(options.MaxPacketSize);
        Enqueue(message);
        return channel;
    }

    internal void RejectChannel(uint senderChannel, ChannelOpenFailureReason reason, string description)
    {
        var message = new SshWriter(32 + description.Length);
        message.WriteByte((byte)MessageNumber.ChannelOpenFailure).WriteUInt32(senderChannel).WriteUInt32((uint)reason)
            .WriteString(description).WriteString("");
        Enqueue(message);
    }

    internal void Forget(SshChannel channel)
    {
        lock (_gate)
        {
            if (_channels.TryGetValue(channel.LocalId, out var current) && ReferenceEquals(current, channel))
                _channels.Remove(channel.LocalId);
        }
    }

    private SshChannel Lookup(uint localId, string what)
    {
        lock (_gate)
        {
            if (_channels.TryGetValue(localId, out var channel))
                return channel;
        }
        throw new SshProtocolException($"received channel {what} for nonexistent channel {localId}");
    }

    private uint AllocateChannelId()
    {
        while (_channels.ContainsKey(_nextChannelId))
            _nextChannelId++;
        return _nextChannelId++;
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
            throw new SshConnectionException("the connection is closed", _failure);
        if (_disposed != 0 || _completion.Task.IsCompleted)
            throw new SshConnectionException("the connection is closed");
    }

    /// <summary>Ends the connection for every channel and waiter; <paramref name="error"/> null means a clean end.</summary>
    private void Fail(Exception? error)
    {
        (error as SshException)?.At(SshStage.Channel);
        SshChannel[] channels;
        TaskCompletionSource<SshGlobalRequestReply>[] waiters;
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
                return;
            _failure = error;
            channels = [.. _channels.Values];
            _channels.Clear();
            waiters = [.. _pendingGlobalReplies];
            _pendingGlobalReplies.Clear();
        }
        var lost = error as SshException ?? new SshConnectionException(
            error is null ? "the connection is closed" : $"connection lost: {error.Message}", error);
        foreach (var channel in channels)
            channel.OnConnectionLost(lost);
        foreach (var waiter in waiters)
            waiter.TrySetException(lost);
        _outbound.Complete();
        if (error is null)
            _completion.TrySetResult();
        else
            _completion.TrySetException(error);
        if (!_shutdown.IsCancellationRequested)
        {
            try
            {
                _shutdown.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static string ReadAscii(ref SshReader reader) => Encoding.ASCII.GetString(reader.ReadString());

    [LoggerMessage(Level = LogLevel.Debug, Message = "channel {Id}: new {Type}")]
    private partial void LogChannelOpening(uint id, string type);

    [LoggerMessage(Level = LogLevel.Debug, Message = "client_input_global_request: rtype {Name} want_reply {WantReply} (answered {Success})")]
    private partial void LogGlobalRequest(string name, bool wantReply, bool success);

    [LoggerMessage(Level = LogLevel.Debug, Message = "global request {Name}: handler failed: {Reason}")]
    private partial void LogGlobalRequestHandlerFailed(string name, string reason);

    [LoggerMessage(Level = LogLevel.Trace, Message = "connection: ignoring message type {Type}")]
    private partial void LogIgnoredMessage(byte type);

    [LoggerMessage(Level = LogLevel.Debug, Message = "connection: protocol error: {Reason}")]
    private partial void LogProtocolError(string reason);
}
