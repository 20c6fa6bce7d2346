using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>
/// An inherited descriptor (stdin, stdout, stderr) read and written with read(2)/write(2). A FileStream over a
/// descriptor that is a regular file keeps its own position and uses pread/pwrite, so the offset the descriptor shares
/// with the shell never moves: in `(echo a; lucid ssh-keygen -l -f k; echo b) > f` the next writer would overwrite our
/// output. Plain read/write advance the shared offset (and honour O_APPEND) as a C program's stdio does.
/// </summary>
internal sealed unsafe class DescriptorStream(int fd, FileAccess access, bool ownsDescriptor = false) : Stream
{
    public override bool CanRead => access.HasFlag(FileAccess.Read);
    public override bool CanWrite => access.HasFlag(FileAccess.Write);
    public override bool CanSeek => false;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.read(fd, p, buffer.Length);
                if (n >= 0)
                    return (int)n;
                if (Marshal.GetLastPInvokeError() != Libc.EINTR)
                    throw new IOException(Marshal.GetLastPInvokeErrorMessage());
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!Libc.WriteAll(fd, buffer))
            throw new IOException(Marshal.GetLastPInvokeErrorMessage());
    }

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (ownsDescriptor && Interlocked.Exchange(ref fd, -1) is var owned and >= 0)
            Libc.close(owned);
        base.Dispose(disposing);
    }

    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
