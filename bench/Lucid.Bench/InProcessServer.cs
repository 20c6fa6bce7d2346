using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Bench;

/// <summary>
/// An SshServer in this process on 127.0.0.1 (a free port), whose "processes" are in-memory: `head -c N /dev/zero`
/// produces N zero bytes and anything else swallows its input. No shell, no pipes, so what the allocation
/// measurement sees is the SSH code on both ends and nothing else.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly SshServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public InProcessServer(string authorizedKeys)
    {
        var config = SshdConfig.Parse("ListenAddress 127.0.0.1\nPermitRootLogin yes\nStrictModes no\n" +
            "AuthorizedKeysFile /dev/null/authorized_keys\nMaxStartups 200:30:400\nPerSourcePenalties no\n");
        _server = new SshServer(new SshServerOptions
        {
            Config = config,
            HostKeys = [SshPrivateKey.Generate("ed25519")],
            Backend = new Backend(authorizedKeys),
        });
        _listener.Start(512);
        _accept = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            socket.NoDelay = true;
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            var local = (IPEndPoint)socket.LocalEndPoint!;
            _ = Task.Run(() => _server.HandleConnectionAsync(new NetworkStream(socket, ownsSocket: true), remote, local, _stop.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accept.ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Backend(string authorizedKeys) : ISshServerBackend
    {
        public SshServerUser? FindUser(string name) => new(name, 0, 0, "/", "/bin/sh", []);

        public string? ReadAuthorizedKeys(SshServerUser user, string path, bool strictModes, Action<string> log) => authorizedKeys;

        public bool PasswordsSupported => false;

        public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, string remoteAddress, CancellationToken cancellationToken) =>
            ValueTask.FromResult(false);

        public ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken)
        {
            const string Head = "head -c ";
            var command = start.Command ?? "";
            long produce = -1;
            if (command.StartsWith(Head, StringComparison.Ordinal))
                produce = long.Parse(command.AsSpan(Head.Length, command.IndexOf(' ', Head.Length) - Head.Length), CultureInfo.InvariantCulture);
            return ValueTask.FromResult<ISshServerProcess>(new MemoryProcess(produce));
        }
    }

    /// <summary>Produces <c>produce</c> zero bytes (then exits 0), or with -1 reads its input to the end (then exits 0).</summary>
    private sealed class MemoryProcess : ISshServerProcess
    {
        private readonly TaskCompletionSource<SshExitStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public MemoryProcess(long produce)
        {
            Output = new ZeroStream(produce, _exited);
            Input = new SinkStream();
        }

        public Stream Input { get; }
        public Stream Output { get; }
        public Stream? ErrorOutput => null;
        public Task<SshExitStatus> Exited => _exited.Task;

        public void CloseInput()
        {
            if (((ZeroStream)Output).IsSink)
                _exited.TrySetResult(new SshExitStatus(0, null));
        }

        public void ResizeTerminal(SshWindowSize size)
        {
        }

        public bool Signal(string name) => false;

        public ValueTask DisposeAsync()
        {
            _exited.TrySetResult(new SshExitStatus(0, null));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ZeroStream(long remaining, TaskCompletionSource<SshExitStatus> exited) : Stream
    {
        public bool IsSink => remaining < 0;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (remaining < 0)
            {
                await exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            if (remaining == 0)
            {
                exited.TrySetResult(new SshExitStatus(0, null));
                return 0;
            }
            var n = (int)Math.Min(buffer.Length, remaining);
            buffer.Span[..n].Clear();
            remaining -= n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// `cat >/dev/null`, except that it starts reading only after a moment: by then the client has used up the
    /// channel's whole window, so the channel's block pool reaches its working size during the warm-up rather than
    /// whenever a later burst first fills the window (which counted ~64 blocks of 64 KiB against the measured run).
    /// </summary>
    private sealed class SinkStream : Stream
    {
        private bool _started;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_started)
                return ValueTask.CompletedTask;
            _started = true;
            return new ValueTask(Task.Delay(AllocationBench.WindowFillDelay, cancellationToken));
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Write(byte[] buffer, int offset, int count) { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
