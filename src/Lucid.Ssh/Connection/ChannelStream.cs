namespace Lucid.Ssh.Connection;

/// <summary>
/// A Stream over a channel: reads from one of its inputs (if given), writes data or extended data.
/// With <c>eofOnDispose</c>, disposing sends EOF after everything written, which is how stdin ends.
/// </summary>
internal sealed class ChannelStream(SshChannel channel, System.IO.Pipelines.PipeReader? input, bool extended, bool eofOnDispose) : Stream
{
    private int _disposed;

    public override bool CanRead => input is not null;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (input is null)
            throw new NotSupportedException("this channel stream is write-only");
        if (buffer.IsEmpty)
            return 0;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var data = result.Buffer;
            if (!data.IsEmpty)
            {
                int count = (int)Math.Min(data.Length, buffer.Length);
                var slice = data.Slice(0, count);
                System.Buffers.BuffersExtensions.CopyTo(slice, buffer.Span);
                input.AdvanceTo(slice.End);
                return count;
            }
            input.AdvanceTo(data.End);
            if (result.IsCompleted || result.IsCanceled)
                return 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        extended ? channel.WriteExtendedAsync(buffer, SshChannel.StderrDataType, cancellationToken) : channel.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (eofOnDispose)
        {
            try
            {
                await channel.SendEofAsync().ConfigureAwait(false);
            }
            catch (SshException)
            {
                // The channel is already closed; there is nobody to tell.
            }
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && eofOnDispose && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                channel.SendEofAsync().GetAwaiter().GetResult();
            }
            catch (SshException)
            {
            }
        }
        base.Dispose(disposing);
    }
}
