namespace Lucid.Cli.Keyscan;

/// <summary>
/// Passes a connection through and keeps the server's identification line ("SSH-2.0-..."), which ssh-keyscan
/// prints as a comment; lines a server may send before it are skipped as the protocol allows.
/// </summary>
internal sealed class BannerRecordingStream(Stream inner) : Stream
{
    private readonly List<byte> _line = [];
    private bool _done;

    /// <summary>The identification line without CR LF, once it has been read in full.</summary>
    public string? Banner { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Record(buffer.AsSpan(offset, n));
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Record(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Record(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (_done)
                return;
            if (b != '\n')
            {
                if (_line.Count < 8192)
                    _line.Add(b);
                continue;
            }
            var text = System.Text.Encoding.UTF8.GetString([.. _line]).TrimEnd('\r');
            _line.Clear();
            if (text.StartsWith("SSH-", StringComparison.Ordinal))
            {
                Banner = text;
                _done = true;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
