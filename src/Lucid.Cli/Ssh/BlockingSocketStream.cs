using System.Net.Sockets;

namespace Lucid.Cli.Ssh;

/// <summary>
/// `lucid ssh`'s connection: a connected socket whose descriptor is blocking, read and written with plain
/// recv(2)/send(2) on the calling thread. The asynchronous methods therefore complete before they return.
/// </summary>
/// <remarks>
/// Why: ssh has one connection, and the transport reads it on a thread of its own
/// (<c>TransportOptions.DedicatedReadThread</c>). A runtime socket parks each read that finds nothing in its epoll
/// thread, which then wakes a pool thread to carry on: two thread hand-offs per read, most of a download's cost
/// in this VM. Here the reading thread waits in recv itself, as OpenSSH's ssh waits in poll.
/// The socket must never have been used asynchronously (that registers it with the runtime's epoll engine,
/// which from then on wakes on every arrival); <see cref="TcpConnector"/> connects it without.
/// A blocked call cannot observe a token, so cancelling one closes the socket, which wakes it.
/// Reads wait for a batch while data streams in (<see cref="ReceiveBatching"/>).
/// </remarks>
internal sealed class BlockingSocketStream(Socket socket) : Stream
{
    private readonly CancellationWatch _readWatch = new(socket);
    private readonly CancellationWatch _writeWatch = new(socket);
    private readonly ReceiveBatching _batching = new(socket);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _readWatch.Watch(cancellationToken);
        try
        {
            int read = _batching.Receive(buffer.Span);
            // A wait that cancellation ended can also come back as the end of the stream (the socket was shut down).
            if (read == 0)
                cancellationToken.ThrowIfCancellationRequested();
            return new ValueTask<int>(read);
        }
        catch (IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new IOException($"Unable to read data from the transport connection: {e.Message}.", e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _writeWatch.Watch(cancellationToken);
        try
        {
            var span = buffer.Span;
            while (span.Length > 0)
                span = span[socket.Send(span)..];
            return ValueTask.CompletedTask;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new IOException($"Unable to write data to the transport connection: {e.Message}.", e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
            _readWatch.Dispose();
            _writeWatch.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Closes the socket when the token of a call in one direction is cancelled. The transport passes the same
    /// token on every call, so it is registered once, not per packet.
    /// </summary>
    private sealed class CancellationWatch(Socket socket) : IDisposable
    {
        private CancellationToken _watched;
        private CancellationTokenRegistration _registration;

        public void Watch(CancellationToken token)
        {
            token.ThrowIfCancellationRequested();
            if (!token.CanBeCanceled || token == _watched)
                return;
            _registration.Dispose();
            _watched = token;
            _registration = token.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
        }

        public void Dispose() => _registration.Dispose();
    }
}
