using System.Net.Sockets;

namespace Lucid.Ssh.Server;

/// <summary>
/// An accepted connection's stream that acknowledges the first reads at once (Linux TCP_QUICKACK) instead of
/// letting the kernel delay the ACK by up to 40 ms. OpenSSH's client leaves Nagle on until a session starts,
/// so when it sends two small packets in a row (NEWKEYS then SERVICE_REQUEST, KEXINIT then ECDH_INIT) the
/// second waits for our ACK of the first; the server, with nothing to send in between, delayed that ACK.
/// Measured with OpenSSH's `ssh host true`: one or two 40 ms stalls per connection, half its wall time.
/// Only the handshake's reads are touched; after them this is a plain pass-through.
/// </summary>
internal sealed class QuickAckStream(NetworkStream inner, Socket socket) : Stream
{
    // Version exchange, KEX, NEWKEYS, auth, channel open and request fit well within this many reads.
    private const int HandshakeReads = 24;
    private const int IPPROTO_TCP = 6;
    private const int TCP_QUICKACK = 12;
    private static readonly byte[] One = [1, 0, 0, 0];
    private int _reads;

    public static Stream Wrap(NetworkStream stream, Socket socket) =>
        OperatingSystem.IsLinux() ? new QuickAckStream(stream, socket) : stream;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0 && _reads < HandshakeReads)
            Acknowledge();
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        if (n > 0 && _reads < HandshakeReads)
            Acknowledge();
        return n;
    }

    private void Acknowledge()
    {
        _reads++;
        try
        {
            // Sends the pending ACK now (and leaves delayed-ACK "pingpong" mode until our next reply).
            socket.SetRawSocketOption(IPPROTO_TCP, TCP_QUICKACK, One);
        }
        catch (SocketException)
        {
            _reads = HandshakeReads;
        }
        catch (ObjectDisposedException)
        {
            _reads = HandshakeReads;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
