namespace Lucid.Ssh.Tests.Transport;

/// <summary>Reads and writes block the calling thread (as `lucid ssh`'s socket does); counts one thread's writes.</summary>
internal sealed class BlockingTrackedStream(Stream inner) : UnseekableTestStream
{
    private int _tracked = -1;
    private long _trackedBytes;
    private long _trackedWrites;

    public long BytesWrittenByTrackedThread => Interlocked.Read(ref _trackedBytes);

    public long WritesByTrackedThread => Interlocked.Read(ref _trackedWrites);

    public void Track(int managedThreadId) => Volatile.Write(ref _tracked, managedThreadId);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(inner.Read(buffer.Span));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        inner.Write(buffer.Span);
        if (Environment.CurrentManagedThreadId == Volatile.Read(ref _tracked))
        {
            Interlocked.Add(ref _trackedBytes, buffer.Length);
            Interlocked.Increment(ref _trackedWrites);
        }
        return ValueTask.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().Wait();
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
