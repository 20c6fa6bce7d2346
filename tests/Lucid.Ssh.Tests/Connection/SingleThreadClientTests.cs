using System.Security.Cryptography;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Tests.Transport;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Connection;

/// <summary>
/// The options `lucid ssh` runs with so that no thread is woken per packet: a dedicated read thread over a
/// blocking stream, channel readers resumed on it (ResumeReaderInline), and data sent by the thread that
/// writes it (SendOnWritingThread, with the transport's PipelineBulkSends off). Each test fails when its option
/// falls back to the thread pool.
/// </summary>
public sealed class SingleThreadClientTests
{
    [Fact]
    public async Task A_channel_reader_resumes_on_the_dedicated_read_thread()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = await Pair.StartAsync(new SshChannelOptions { ResumeReaderInline = true });
        var reading = Task.Run(async () =>
        {
            var result = await pair.ClientChannel.Input.ReadAsync(ct);
            var thread = Thread.CurrentThread.Name;
            var text = System.Text.Encoding.ASCII.GetString(result.Buffer.FirstSpan);
            pair.ClientChannel.Input.AdvanceTo(result.Buffer.End);
            return (thread, text);
        }, ct);
        await Task.Delay(100, ct); // the reader is waiting before the data comes
        await pair.ServerChannel.WriteAsync("hello"u8.ToArray(), ct);

        var (threadName, received) = await reading.WaitAsync(ct);
        Assert.Equal("hello", received);
        Assert.Equal("ssh read", threadName);
    }

    [Fact]
    public async Task A_channel_switched_to_inline_readers_after_it_opened_resumes_them_on_the_read_thread()
    {
        // What sshd does once it knows the session's stdin is a pipe that never blocks.
        var ct = ConnectionPair.Timeout();
        await using var pair = await Pair.StartAsync(SshChannelOptions.Default);
        Assert.Equal("pool", await ReaderThreadAsync(pair, "one", ct));
        pair.ClientChannel.ResumeReadersInline();
        Assert.Equal("ssh read", await ReaderThreadAsync(pair, "two", ct));
    }

    private static async Task<string> ReaderThreadAsync(Pair pair, string text, CancellationToken ct)
    {
        var reading = Task.Run(async () =>
        {
            var result = await pair.ClientChannel.Input.ReadAsync(ct);
            var thread = Thread.CurrentThread.IsThreadPoolThread ? "pool" : Thread.CurrentThread.Name ?? "?";
            Assert.Equal(text, System.Text.Encoding.ASCII.GetString(result.Buffer.FirstSpan));
            pair.ClientChannel.Input.AdvanceTo(result.Buffer.End);
            return thread;
        }, ct);
        await Task.Delay(100, ct); // the reader is waiting before the data comes
        await pair.ServerChannel.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text), ct);
        return await reading.WaitAsync(ct);
    }

    [Fact]
    public async Task A_write_is_encrypted_and_sent_by_the_writing_thread()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = await Pair.StartAsync(new SshChannelOptions { SendOnWritingThread = true });
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var (bytes, _) = await WriteFromOwnThreadAsync(pair, data, 40_000, ct);

        // Most of the data left through the writing thread's own sends (the rest, if the socket was full at a
        // moment, through the loop resumed by the socket); with the pool doing it, this thread sends nothing.
        Assert.True(bytes > data.Length / 2, $"the writing thread sent {bytes} of {data.Length} bytes");
    }

    [Fact]
    public async Task The_packets_of_one_write_leave_together()
    {
        // A peer taking 32 KiB packets (OpenSSH's sshd) turns each 128 KiB write into four; the write loop packs
        // 64 KiB into a socket write, so they leave in two writes, not in one per packet.
        var ct = ConnectionPair.Timeout();
        await using var pair = await Pair.StartAsync(new SshChannelOptions { SendOnWritingThread = true },
            new SshChannelOptions { MaxPacketSize = 32 * 1024 });
        const int Writes = 8, Chunk = 128 * 1024;
        var data = RandomNumberGenerator.GetBytes(Writes * Chunk);

        var (bytes, socketWrites) = await WriteFromOwnThreadAsync(pair, data, Chunk, ct);

        Assert.True(bytes > data.Length / 2, $"the writing thread sent {bytes} of {data.Length} bytes");
        Assert.True(socketWrites <= 2 * Writes, $"{socketWrites} socket writes for {Writes} writes of four packets");
    }

    /// <summary>
    /// Writes <paramref name="data"/> in <paramref name="chunk"/>-byte writes from a thread of its own (as `lucid ssh`'s
    /// stdin thread does), checks that the server received it intact, and returns the bytes and the socket writes
    /// that thread sent itself.
    /// </summary>
    private static async Task<(long Bytes, long SocketWrites)> WriteFromOwnThreadAsync(Pair pair, byte[] data, int chunk, CancellationToken ct)
    {
        var receiving = Task.Run(() => BulkPair.HashAsync(pair.ServerChannel, ct), ct);
        await Task.Delay(100, ct); // the client's writer is idle (waiting) when the writes begin

        long bytes = 0, socketWrites = 0;
        var thread = new Thread(() =>
        {
            pair.ClientStream.Track(Environment.CurrentManagedThreadId);
            for (int offset = 0; offset < data.Length; offset += chunk)
                pair.ClientChannel.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)), ct).AsTask().Wait(ct);
            (bytes, socketWrites) = (pair.ClientStream.BytesWrittenByTrackedThread, pair.ClientStream.WritesByTrackedThread);
            pair.ClientChannel.SendEofAsync(ct).Wait(ct);
        });
        thread.Start();
        var (length, hash) = await receiving;
        thread.Join();

        Assert.Equal(data.Length, length);
        Assert.Equal(SHA256.HashData(data), hash);
        return (bytes, socketWrites);
    }

    private sealed class Pair : IAsyncDisposable
    {
        public required SshTransport ClientTransport { get; init; }
        public required SshTransport ServerTransport { get; init; }
        public required SshConnection Client { get; init; }
        public required SshConnection Server { get; init; }
        public required SshChannel ClientChannel { get; init; }
        public required SshChannel ServerChannel { get; init; }
        public required BlockingTrackedStream ClientStream { get; init; }

        public static async Task<Pair> StartAsync(SshChannelOptions clientChannelOptions, SshChannelOptions? serverChannelOptions = null)
        {
            var (clientSocket, serverStream) = await TransportPair.SocketPairAsync();
            var clientStream = new BlockingTrackedStream(clientSocket);
            var serverTask = SshTransport.AcceptServerAsync(serverStream, new ServerTransportOptions { HostKeys = TransportPair.HostKeys });
            var clientTransport = await SshTransport.ConnectClientAsync(clientStream, new ClientTransportOptions
            {
                Host = "pair",
                HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
                DedicatedReadThread = true,
                PipelineBulkSends = false, // as `lucid ssh` (SshClientSession)
            });
            var serverTransport = await serverTask;
            var client = new SshConnection(clientTransport);
            var server = new SshConnection(serverTransport);
            var accepted = new TaskCompletionSource<SshChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
            server.ChannelOpenReceived = request => accepted.TrySetResult(request.Accept(serverChannelOptions));
            client.Start();
            server.Start();
            var clientChannel = await client.OpenChannelAsync("test@lucid", options: clientChannelOptions, cancellationToken: ConnectionPair.Timeout());
            var serverChannel = await accepted.Task.WaitAsync(ConnectionPair.Timeout());
            return new Pair
            {
                ClientTransport = clientTransport, ServerTransport = serverTransport, Client = client, Server = server,
                ClientChannel = clientChannel, ServerChannel = serverChannel, ClientStream = clientStream,
            };
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
