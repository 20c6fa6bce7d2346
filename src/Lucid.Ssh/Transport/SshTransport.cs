using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading.Channels;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Transport;

/// <summary>
/// The SSH transport (RFC 4253 plus OpenSSH's strict KEX, ext-info and ping) for either role over any
/// <see cref="Stream"/>, which it owns and closes. One read loop decrypts packets, runs key exchanges and
/// hands everything else up through <see cref="ReceiveAsync"/>; one write loop frames packets, holding
/// back every non-KEX message while a key exchange is in progress.
/// </summary>
public sealed partial class SshTransport : IPacketConnection
{
    private readonly Stream _stream;
    private readonly TransportOptions _options;
    private readonly bool _isServer;
    private readonly ILogger _log;
    private readonly PacketReader _reader;
    private readonly PacketWriter _writer;

    // Transport-internal messages that must go out even during a KEX (KEXINIT, KEX methods, NEWKEYS, DISCONNECT).
    private readonly Channel<Outgoing> _control = Channel.CreateUnbounded<Outgoing>(new() { SingleReader = true });
    // Transport replies that must wait for a KEX to finish (PONG, UNIMPLEMENTED).
    private readonly Channel<Outgoing> _gated = Channel.CreateUnbounded<Outgoing>(new() { SingleReader = true });
    // The layers above; bounded so a fast sender waits instead of buffering without limit.
    private readonly Channel<Outgoing> _app = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(64) { SingleReader = true });
    private readonly WriterSignal _wake = new();
    private readonly Channel<SshPacket> _incoming = Channel.CreateBounded<SshPacket>(new BoundedChannelOptions(64) { SingleReader = false, SingleWriter = true });
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _firstKex = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _kexLock = new();

    private IPacketSource? _source;
    private KexInitMessage? _ourKexInit;
    private bool _holdApp; // writer loop only: between our KEXINIT and our NEWKEYS on the wire
    private bool _strictKex;
    private bool _firstKexDone;
    private bool _peerWantsExtInfo;
    private byte[]? _sessionId;
    private string _localVersion;
    private string _remoteVersion = "";
    private volatile Exception? _failure;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private Timer? _rekeyTimer;
    private long _lastKexTicks;
    private long _rekeyBytesOut = long.MaxValue;
    private long _rekeyBytesIn = long.MaxValue;
    private int _disposed;
    // Limits start rekeys only after user authentication, as OpenSSH (whose sshd refuses KEXINIT before it).
    private volatile bool _authenticated;
    // Sequence number our latest KEXINIT went out with, to recognise a peer answering it with UNIMPLEMENTED.
    private long _kexInitSequence = -1;

    private SshTransport(Stream stream, TransportOptions options, bool isServer)
    {
        _stream = stream;
        _options = options;
        _isServer = isServer;
        _log = options.Logger;
        _localVersion = options.SoftwareVersion;
        _reader = new PacketReader(stream) { PeerDescription = options.PeerDescription ?? "remote host" };
        _writer = new PacketWriter(stream, options.PipelineBulkSends);
    }

    /// <summary>Runs the client side of the version exchange and first key exchange; returns once keys are in use.</summary>
    /// <exception cref="SshHostKeyVerificationException">The host key verifier refused the server's key.</exception>
    /// <exception cref="SshProtocolException">The server broke the protocol (bad banner, no common algorithm, bad MAC, ...).</exception>
    /// <exception cref="SshConnectionException">The connection closed, timed out or the server disconnected.</exception>
    public static Task<SshTransport> ConnectClientAsync(Stream stream, ClientTransportOptions options, CancellationToken cancellationToken = default)
    {
        if (options.HostKeyVerifier is null)
            throw new ArgumentException("ClientTransportOptions.HostKeyVerifier is required", nameof(options));
        return StartAsync(new SshTransport(stream, options, isServer: false), cancellationToken);
    }

    /// <summary>Runs the server side of the version exchange and first key exchange.</summary>
    public static Task<SshTransport> AcceptServerAsync(Stream stream, ServerTransportOptions options, CancellationToken cancellationToken = default)
    {
        if (options.HostKeys.Count == 0)
            throw new ArgumentException("ServerTransportOptions.HostKeys is empty", nameof(options));
        return StartAsync(new SshTransport(stream, options, isServer: true), cancellationToken);
    }

    public bool IsServer => _isServer;

    public ReadOnlyMemory<byte> SessionId => _sessionId ?? throw new InvalidOperationException("no key exchange yet");

    /// <summary>The peer's identification string, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2".</summary>
    public string RemoteVersion => _remoteVersion;
    public string LocalVersion => _localVersion;

    /// <summary>The algorithms of the latest key exchange.</summary>
    public NegotiatedAlgorithms? Algorithms { get; private set; }

    /// <summary>The server's host key (client role) or the one that signed (server role).</summary>
    public SshPublicKey? HostKey { get; private set; }

    /// <summary>Whether strict KEX (the Terrapin countermeasure) is in force.</summary>
    public bool IsStrictKex => _strictKex;

    /// <summary>Client role: the server's server-sig-algs from EXT_INFO, or null if it sent none.</summary>
    public IReadOnlyList<string>? ServerSignatureAlgorithms { get; private set; }

    /// <summary>Extensions the peer announced in EXT_INFO (name → value).</summary>
    public IReadOnlyDictionary<string, string> PeerExtensions => _peerExtensions;
    private readonly Dictionary<string, string> _peerExtensions = [];

    /// <summary>Completed key exchanges (1 after the handshake).</summary>
    public int KeyExchangeCount { get; private set; }

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ThrowIfFailed();
        if (payload.IsEmpty)
            throw new ArgumentException("empty payload", nameof(payload));
        return EnqueueAppAsync(Outgoing.Copy(payload.Span), cancellationToken);
    }

    private ValueTask EnqueueAppAsync(Outgoing item, CancellationToken cancellationToken)
    {
        if (_app.Writer.TryWrite(item))
        {
            _wake.Signal();
            return ValueTask.CompletedTask;
        }
        return EnqueueAppSlowAsync(item, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EnqueueAppSlowAsync(Outgoing item, CancellationToken cancellationToken)
    {
        try
        {
            await _app.Writer.WriteAsync(item, cancellationToken);
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            item.Return();
            ThrowIfFailed();
            throw;
        }
        _wake.Signal();
    }

    /// <summary>
    /// Delayed compression (zlib@openssh.com) starts by itself exactly where it must: on the server right after
    /// USERAUTH_SUCCESS leaves the writer, on the client right after it arrives. This method is kept for auth
    /// layers that call it after sending USERAUTH_SUCCESS; it changes nothing, because switching here could
    /// compress a USERAUTH_SUCCESS still waiting in the send queue.
    /// </summary>
    public void EnableDelayedCompression()
    {
    }

    /// <summary>Client side: USERAUTH_SUCCESS has just been read, so both directions switch now.</summary>
    private void StartClientDelayedCompression()
    {
        _reader.StartDecompression();
        _reader.EnableBulk();
        EnqueueControl(Outgoing.Marker(OutgoingAction.StartCompression));
    }

    /// <summary>Starts a key exchange now (unless one is already running).</summary>
    public void RequestKeyExchange() => TryStartKex("requested");

    public async ValueTask DisconnectAsync(DisconnectReason reason, string description, CancellationToken cancellationToken = default)
    {
        if (_failure is null && !_cts.IsCancellationRequested)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EnqueueControl(Outgoing.Copy(DisconnectPayload(reason, description), done));
            try
            {
                await done.Task.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException or SshException or OperationCanceledException)
            {
            }
        }
        Fail(new SshConnectionException($"Disconnected: {description}"));
        await DisposeAsync();
    }

    /// <summary>
    /// Waits (at most <paramref name="patience"/>) until every message queued so far is written to the stream: for the
    /// last words before a connection is dropped without a DISCONNECT (sshd's fatal() after a PAM account refusal,
    /// whose banner a disposal right after the send could cut off).
    /// </summary>
    internal async ValueTask FlushQueuedAsync(TimeSpan patience)
    {
        if (_failure is not null)
            return;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await EnqueueAppAsync(Outgoing.Copy(ReadOnlySpan<byte>.Empty, done), CancellationToken.None);
            await done.Task.WaitAsync(patience);
        }
        catch (Exception e) when (e is TimeoutException or SshException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Fail(new ObjectDisposedException(nameof(SshTransport)));
        try
        {
            await Task.WhenAll(_readLoop, _writeLoop).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // The loops record their own failures; disposal must not throw them again.
        }
        _rekeyTimer?.Dispose();
        _reader.Dispose();
        _writer.Dispose();
        while (_incoming.Reader.TryRead(out var packet))
            packet.Dispose();
        _cts.Dispose();
    }

    private static async Task<SshTransport> StartAsync(SshTransport transport, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(transport._options.HandshakeTimeout);
        try
        {
            await transport.ExchangeVersionsAsync(timeout.Token);
            transport._writeLoop = Task.Run(transport.WriteLoopAsync);
            transport._readLoop = transport._options.DedicatedReadThread
                ? StartOnOwnThread(transport.ReadLoopAsync, "ssh read")
                : Task.Run(transport.ReadLoopAsync);
            await transport._firstKex.Task.WaitAsync(timeout.Token);
            transport._options.Observer?.Completed(SshStage.Kex);
            if (transport._options.RekeyInterval is { } interval)
                transport._rekeyTimer = new Timer(_ => transport.CheckRekeyTime(), null, interval / 4, interval / 4);
            return transport;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var stage = transport.HandshakeStage;
            await transport.DisposeAsync();
            var timedOut = new SshConnectionException($"Connection timed out during {(stage == SshStage.Version ? "banner exchange" : "key exchange")}")
                .At(stage, new SshFailureCause.TimedOut());
            transport._options.Observer?.Failed(stage, timedOut);
            throw timedOut;
        }
        catch (Exception e)
        {
            if (e is SshException failure)
            {
                failure.At(transport.HandshakeStage, failure is SshProtocolException ? new SshFailureCause.ProtocolViolation() : null);
                transport._options.Observer?.Failed(failure.Stage!.Value, failure);
            }
            await transport.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="loop"/> on a new thread, where it runs until its first wait that does not complete at
    /// once (with a blocking stream, normally never; after one, it carries on on the pool as any continuation).
    /// </summary>
    private static Task StartOnOwnThread(Func<Task> loop, string name)
    {
        var started = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => started.SetResult(loop())) { IsBackground = true, Name = name }.Start();
        return started.Task.Unwrap();
    }

    /// <summary>Where the handshake is: the version exchange until the peer's identification arrived, then the key exchange.</summary>
    private SshStage HandshakeStage => _remoteVersion.Length == 0 ? SshStage.Version : _verifyingHostKey ? SshStage.HostKey : SshStage.Kex;
    private volatile bool _verifyingHostKey;

    private async Task ExchangeVersionsAsync(CancellationToken cancellationToken)
    {
        _options.Observer?.Started(SshStage.Version);
        TransportLog.LocalVersion(_log, _localVersion);
        var line = Encoding.ASCII.GetBytes(_localVersion + "\r\n");
        try
        {
            await _stream.WriteAsync(line, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new SshConnectionException($"kex_exchange_identification: write: {e.Message}", e).At(SshStage.Version, new SshFailureCause.ConnectionLost(e.Message));
        }

        // RFC 4253 section 4.2: a server may send other lines first; a client must not.
        for (int lines = 0; ; lines++)
        {
            if (lines >= 1024)
                throw new SshProtocolException("kex_exchange_identification: too many banner lines", DisconnectReason.ProtocolVersionNotSupported)
                    .At(SshStage.Version, new SshFailureCause.UnsupportedVersion("too many banner lines"));
            var text = await _reader.ReadLineAsync(cancellationToken);
            if (!text.StartsWith("SSH-", StringComparison.Ordinal))
            {
                if (_isServer)
                    throw new SshProtocolException($"kex_exchange_identification: client sent invalid protocol identifier \"{Printable(text)}\"", DisconnectReason.ProtocolVersionNotSupported)
                        .At(SshStage.Version, new SshFailureCause.UnsupportedVersion("invalid protocol identifier"));
                continue;
            }
            var parts = text.Split('-', 3);
            if (parts.Length < 3 || parts[1].Length == 0)
                throw new SshProtocolException($"Bad remote protocol version identification: '{Printable(text)}'", DisconnectReason.ProtocolVersionNotSupported)
                    .At(SshStage.Version, new SshFailureCause.UnsupportedVersion("bad identification string"));
            if (parts[1] != "2.0" && parts[1] != "1.99")
                throw new SshProtocolException($"Protocol major versions differ: 2 vs. {parts[1].Split('.')[0]}", DisconnectReason.ProtocolVersionNotSupported)
                    .At(SshStage.Version, new SshFailureCause.UnsupportedVersion($"protocol {parts[1]}"));
            _remoteVersion = text;
            TransportLog.RemoteVersion(_log, parts[1], parts[2]);
            _options.Observer?.Completed(SshStage.Version);
            _options.Observer?.Started(SshStage.Kex);
            return;
        }
    }

    private static string Printable(string text) =>
        string.Concat(text.Select(c => c < 0x20 || c > 0x7e ? '?' : c));

    private async Task WriteLoopAsync()
    {
        var cancellationToken = _cts.Token;
        try
        {
            while (true)
            {
                if (_control.Reader.TryRead(out var item) || (!_holdApp && (_gated.Reader.TryRead(out item) || _app.Reader.TryRead(out item))))
                {
                    await WriteItemAsync(item, cancellationToken);
                    continue;
                }
                if (!_holdApp && _source is { } source && source.TryTake(out var message))
                {
                    await WriteSourcedAsync(message, cancellationToken);
                    continue;
                }
                await _writer.FlushAsync(cancellationToken);
                // Fail closes _wake, which ends this wait.
                await _wake.WaitAsync();
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteItemAsync(Outgoing item, CancellationToken cancellationToken)
    {
        try
        {
            if (item.Length > 0)
            {
                if (!_writer.HasRoomFor(item.Length))
                    await _writer.FlushAsync(cancellationToken);
                if (item.Action == OutgoingAction.KexInit)
                    Volatile.Write(ref _kexInitSequence, _writer.Sequence);
                _writer.Append(item.Span);
            }
            switch (item.Action)
            {
                case OutgoingAction.KexInit:
                    _holdApp = true;
                    break;
                case OutgoingAction.NewKeys:
                    _writer.SetKeys(item.Keys!);
                    if (_strictKex)
                        _writer.Sequence = 0;
                    _holdApp = false;
                    break;
                case OutgoingAction.StartCompression:
                    _writer.StartCompression();
                    break;
            }
            // Server side of delayed compression: it starts right after USERAUTH_SUCCESS leaves.
            if (_isServer && item.Length > 0 && item.Span[0] == (byte)MessageNumber.UserAuthSuccess)
            {
                _authenticated = true;
                _writer.StartCompression();
                _reader.StartDecompression();
                // Authenticated: transfers may begin, so the read buffer may grow past the pre-authentication size.
                _reader.EnableBulk();
            }
            if (item.Done is not null)
                await _writer.FlushUntilSentAsync(cancellationToken);
            else if (_writer.Pending >= 64 * 1024)
                await _writer.FlushBulkAsync(cancellationToken);
            item.Done?.TrySetResult();
            if (_authenticated && (_writer.BytesSinceKeys >= _rekeyBytesOut || _writer.PacketsSinceKeys >= MaxPacketsPerKey))
                TryStartKex("outgoing byte limit");
        }
        finally
        {
            item.Return();
        }
    }

    private const long MaxPacketsPerKey = 1L << 31;

    /// <summary>Frames one message from the attached <see cref="IPacketSource"/> (the connection's queue).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteSourcedAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (!_writer.HasRoomFor(message.Length))
                await _writer.FlushAsync(cancellationToken);
            _writer.Append(message.Payload.Span);
            if (_writer.Pending >= 64 * 1024)
                await _writer.FlushBulkAsync(cancellationToken);
            if (_authenticated && (_writer.BytesSinceKeys >= _rekeyBytesOut || _writer.PacketsSinceKeys >= MaxPacketsPerKey))
                TryStartKex("outgoing byte limit");
        }
        finally
        {
            message.Release();
        }
    }

    /// <summary>
    /// From now on the write loop also drains <paramref name="source"/>, after the transport's own queues and
    /// like the application queue held back during a key exchange. The source calls <see cref="WakeWriter"/>
    /// whenever it gains a message.
    /// </summary>
    internal void AttachSource(IPacketSource source)
    {
        if (Interlocked.CompareExchange(ref _source, source, null) is not null)
            throw new InvalidOperationException("a packet source is already attached");
        WakeWriter();
    }

    /// <summary>True when the read loop has a thread of its own, whose stream reads (and writes) block it.</summary>
    internal bool ReadsOnOwnThread => _options.DedicatedReadThread;

    /// <summary>Wakes the write loop (cheap when it is already awake: a second signal is only remembered).</summary>
    internal void WakeWriter() => _wake.Signal();

    /// <summary>
    /// Wakes the write loop and, when it was waiting, runs it on the calling thread until it waits again
    /// (see <see cref="WriterSignal"/>). Only for a caller that holds no lock and may spend the time of sending.
    /// </summary>
    internal void RunWriterHere() => _wake.Signal(runHere: true);

    private void EnqueueControl(Outgoing item)
    {
        if (!_control.Writer.TryWrite(item))
            item.Return();
        _wake.Signal();
    }

    private void EnqueueGated(Outgoing item)
    {
        if (!_gated.Writer.TryWrite(item))
            item.Return();
        _wake.Signal();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            if (failure is ObjectDisposedException)
                throw new SshConnectionException("connection closed", failure);
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Records the first failure, ends both loops and closes the stream.</summary>
    private void Fail(Exception exception)
    {
        if (exception is OperationCanceledException && _failure is not null)
            return;
        if (Interlocked.CompareExchange(ref _failure, exception, null) is null)
        {
            if (exception is not ObjectDisposedException)
                TransportLog.Failed(_log, exception.Message);
            _firstKex.TrySetException(exception);
            _incoming.Writer.TryComplete(exception);
            CloseSink(exception);
            _app.Writer.TryComplete();
            _wake.Close();
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            try
            {
                _stream.Dispose();
            }
            catch (Exception)
            {
            }
        }
    }

    private static byte[] DisconnectPayload(DisconnectReason reason, string description)
    {
        // OpenSSH formats the reason into 1 KiB (packet.c): a peer's own words quoted back (a 250 KB "Their offer")
        // must not make a packet of their size.
        const int MaxDescription = 1023;
        if (description.Length > MaxDescription)
            description = description[..(char.IsHighSurrogate(description[MaxDescription - 1]) ? MaxDescription - 1 : MaxDescription)];
        using var writer = new SshWriter();
        writer.WriteByte((byte)MessageNumber.Disconnect).WriteUInt32((uint)reason).WriteString(description).WriteString("");
        return writer.ToArray();
    }

    private SshConnectionException Disconnected(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload[1..]);
        uint code = reader.ReadUInt32();
        string text = reader.ReadUtf8String();
        var peer = _options.PeerDescription ?? "remote host";
        return new SshConnectionException($"Received disconnect from {peer}:{code}: {text}")
            .At(null, new SshFailureCause.PeerDisconnected((DisconnectReason)code, text));
    }

    /// <summary>An outgoing payload in a pooled buffer plus what the writer must do right after framing it.</summary>
    private readonly struct Outgoing
    {
        private readonly byte[]? _buffer;

        private Outgoing(byte[]? buffer, int length, OutgoingAction action, PacketKeys? keys, TaskCompletionSource? done)
        {
            _buffer = buffer;
            Length = length;
            Action = action;
            Keys = keys;
            Done = done;
        }

        public int Length { get; }
        public OutgoingAction Action { get; }
        public PacketKeys? Keys { get; }
        public TaskCompletionSource? Done { get; }
        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

        public static Outgoing Copy(ReadOnlySpan<byte> payload, TaskCompletionSource? done = null, OutgoingAction action = OutgoingAction.None, PacketKeys? keys = null)
        {
            var buffer = SshBufferPool.Shared.Rent(payload.Length);
            payload.CopyTo(buffer);
            return new Outgoing(buffer, payload.Length, action, keys, done);
        }

        public static Outgoing Marker(OutgoingAction action) => new(null, 0, action, null, null);

        public void Return()
        {
            if (_buffer is null)
                return;
            // Payloads can hold passwords and keys; wipe before the buffer goes back to the shared pool.
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, Length));
            SshBufferPool.Shared.Return(_buffer);
        }
    }

    private enum OutgoingAction
    {
        None,
        KexInit,
        NewKeys,
        StartCompression,
    }
}
