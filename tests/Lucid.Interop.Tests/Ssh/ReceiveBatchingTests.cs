using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lucid.Cli.Ssh;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// `lucid ssh`'s receives over a real TCP connection: the low-water mark goes up while a stream arrives, and
/// nothing is held back by it — not small messages, not a stream's tail, not data after a pause.
/// </summary>
public sealed class ReceiveBatchingTests : IDisposable
{
    private readonly Socket _sender;
    private readonly Socket _receiver;
    private readonly ReceiveBatching _batching;
    private readonly byte[] _buffer = new byte[512 * 1024];

    public ReceiveBatchingTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        // Buffers that hold the tests' 256 KiB at once (a fresh connection's would start smaller and grow).
        _receiver = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1 << 20 };
        _receiver.Connect(listener.LocalEndPoint!);
        _sender = listener.Accept();
        _sender.SendBufferSize = 1 << 20;
        _batching = new ReceiveBatching(_receiver);
    }

    public void Dispose()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    private int LowWaterMark => (int)_receiver.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater)!;

    [Fact]
    public void A_small_message_is_read_at_once_and_leaves_the_mark_at_one_byte()
    {
        _sender.Send("SSH-2.0-test\r\n"u8);
        Assert.Equal(14, _batching.Receive(_buffer));
        Assert.False(_batching.IsBatching);
        Assert.Equal(1, LowWaterMark);
    }

    [Fact]
    public void A_stream_raises_the_mark_and_its_tail_still_arrives_within_the_wait()
    {
        SendAll(new byte[256 * 1024]);
        Thread.Sleep(50); // all of it queued: the first receive finds a whole batch waiting
        ReceiveExactly(256 * 1024);
        Assert.True(_batching.IsBatching);
        Assert.Equal(ReceiveBatching.BatchSize, LowWaterMark);

        // Less than a batch: read once the wait runs out, and the mark goes back down.
        _sender.Send(new byte[1000]);
        var clock = Stopwatch.StartNew();
        Assert.Equal(1000, _batching.Receive(_buffer));
        Assert.True(clock.ElapsedMilliseconds < 1000, $"the tail took {clock.ElapsedMilliseconds} ms");
        Assert.False(_batching.IsBatching);
        Assert.Equal(1, LowWaterMark);
    }

    [Fact]
    public void After_a_pause_with_nothing_in_flight_the_next_message_is_read_whenever_it_comes()
    {
        SendAll(new byte[256 * 1024]);
        Thread.Sleep(50);
        ReceiveExactly(256 * 1024);
        Assert.True(_batching.IsBatching);

        // The wait runs out with nothing received; the receive carries on waiting, without a limit.
        var late = new Thread(() =>
        {
            Thread.Sleep(300);
            _sender.Send("late"u8);
        });
        late.Start();
        Assert.Equal(4, _batching.Receive(_buffer));
        Assert.Equal("late"u8.ToArray(), _buffer[..4]);
        Assert.False(_batching.IsBatching);
        late.Join();
    }

    [Fact]
    public void The_end_of_the_stream_is_still_zero_bytes()
    {
        SendAll(new byte[256 * 1024]);
        Thread.Sleep(50);
        ReceiveExactly(256 * 1024);
        _sender.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, _batching.Receive(_buffer));
    }

    private void SendAll(byte[] data)
    {
        var span = data.AsSpan();
        while (span.Length > 0)
            span = span[_sender.Send(span)..];
    }

    private void ReceiveExactly(int count)
    {
        int total = 0;
        while (total < count)
        {
            int read = _batching.Receive(_buffer);
            Assert.True(read > 0, "the stream ended early");
            total += read;
        }
        Assert.Equal(count, total);
    }
}
