using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>
/// Pipelined bulk sends: a flush of 64 KiB or more is written by another thread while the writer seals the next
/// packets; order, failures and the buffer's ownership must survive that.
/// </summary>
public sealed class PacketSenderTests
{
    private const int Bulk = 100 * 1024;

    [Fact]
    public async Task A_bulk_flush_is_written_by_another_thread_while_the_writer_seals_the_next_packets()
    {
        var wire = new GatedStream();
        using var writer = Writer(wire, pipeline: true);
        var first = RandomNumberGenerator.GetBytes(Bulk);
        var second = RandomNumberGenerator.GetBytes(Bulk);
        var third = RandomNumberGenerator.GetBytes(100);

        writer.Append(first);
        int sealingThread = Environment.CurrentManagedThreadId;
        Assert.True(writer.FlushBulkAsync(default).IsCompletedSuccessfully);
        // Blocking, so that this thread cannot be the one that picks up the send.
        Assert.True(wire.FirstWriteStarted.Wait(TimeSpan.FromSeconds(10)));
        Assert.NotEqual(sealingThread, wire.FirstWriterThread);

        // The first write is still blocked: the writer goes on sealing, and a bulk point keeps the packets here.
        writer.Append(second);
        Assert.True(writer.FlushBulkAsync(default).IsCompletedSuccessfully);
        Assert.True(writer.Pending > Bulk);
        var flush = writer.FlushUntilSentAsync(default);
        await Task.Delay(50);
        Assert.False(flush.IsCompleted);

        wire.Open();
        await flush.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        writer.Append(third);
        int smallFlushThread = Environment.CurrentManagedThreadId;
        Assert.True(writer.FlushUntilSentAsync(default).IsCompletedSuccessfully);

        Assert.Equal(3, wire.Writes); // the two bulk flushes on the sender's thread, the small last one inline
        Assert.Equal(smallFlushThread, wire.LastWriterThread);
        using var reader = Reader(wire.Written);
        foreach (var expected in new[] { first, second, third })
        {
            var payload = await reader.ReadPacketAsync(default);
            Assert.Equal(expected, payload.ToArray());
        }
    }

    [Fact]
    public async Task Without_pipelining_every_flush_is_written_on_the_writers_own_thread()
    {
        var wire = new GatedStream();
        wire.Open();
        using var writer = Writer(wire, pipeline: false);
        writer.Append(RandomNumberGenerator.GetBytes(Bulk));
        int sealingThread = Environment.CurrentManagedThreadId;
        Assert.True(writer.FlushBulkAsync(default).IsCompletedSuccessfully);
        Assert.Equal(0, writer.Pending);
        Assert.Equal(sealingThread, wire.FirstWriterThread);
    }

    [Fact]
    public async Task A_failed_bulk_send_surfaces_at_the_next_flush_as_a_lost_connection()
    {
        var wire = new GatedStream { Failure = new IOException("Broken pipe") };
        wire.Open();
        using var writer = Writer(wire, pipeline: true);
        writer.Append(RandomNumberGenerator.GetBytes(Bulk));
        await writer.FlushBulkAsync(default);

        var error = await Assert.ThrowsAsync<SshConnectionException>(() => writer.FlushUntilSentAsync(default).AsTask());
        Assert.Equal("Connection lost: Broken pipe", error.Message);
    }

    [Fact]
    public async Task Disposing_during_a_send_keeps_the_buffer_being_sent_out_of_the_pool()
    {
        var wire = new GatedStream();
        var writer = Writer(wire, pipeline: true);
        writer.Append(RandomNumberGenerator.GetBytes(Bulk));
        await writer.FlushBulkAsync(default);
        Assert.True(wire.FirstWriteStarted.Wait(TimeSpan.FromSeconds(10)));

        writer.Dispose();
        // Another connection renting now must not be handed the array the kernel may still be reading.
        var rented = Enumerable.Range(0, 4).Select(_ => ArrayPool<byte>.Shared.Rent(512 * 1024)).ToList();
        try
        {
            Assert.DoesNotContain(rented, array => ReferenceEquals(array, wire.FirstWriteArray));
        }
        finally
        {
            rented.ForEach(array => ArrayPool<byte>.Shared.Return(array));
            wire.Open();
        }
    }

    private static PacketKeys Keys(bool encrypt)
    {
        var cipher = AlgorithmRegistry.FindCipher("aes128-gcm@openssh.com")!;
        return new(cipher.Create(new byte[cipher.KeySize], new byte[cipher.IvSize], encrypt), null, false,
            AlgorithmRegistry.FindCompression("none")!);
    }

    private static PacketWriter Writer(Stream wire, bool pipeline)
    {
        var writer = new PacketWriter(wire, pipeline);
        writer.SetKeys(Keys(encrypt: true));
        return writer;
    }

    private static PacketReader Reader(byte[] written)
    {
        var reader = new PacketReader(new MemoryStream(written));
        reader.SetKeys(Keys(encrypt: false));
        return reader;
    }

    /// <summary>Records what is written and by which thread; writes wait until <see cref="Open"/>.</summary>
    private sealed class GatedStream : UnseekableTestStream
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MemoryStream _written = new();

        public Exception? Failure { get; init; }
        public ManualResetEventSlim FirstWriteStarted { get; } = new();
        public int FirstWriterThread { get; private set; }
        public byte[]? FirstWriteArray { get; private set; }
        public int LastWriterThread { get; private set; }
        public int Writes { get; private set; }

        public byte[] Written
        {
            get
            {
                lock (_written)
                    return _written.ToArray();
            }
        }

        public void Open() => _gate.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Writes++ == 0)
            {
                FirstWriterThread = Environment.CurrentManagedThreadId;
                FirstWriteArray = MemoryMarshal.TryGetArray(buffer, out var segment) ? segment.Array : null;
                FirstWriteStarted.Set();
            }
            LastWriterThread = Environment.CurrentManagedThreadId;
            await _gate.Task.ConfigureAwait(false);
            if (Failure is not null)
                throw Failure;
            lock (_written)
                _written.Write(buffer.Span);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
