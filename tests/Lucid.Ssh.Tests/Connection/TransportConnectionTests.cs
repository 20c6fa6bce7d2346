using System.Buffers;
using System.Security.Cryptography;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Tests.Transport;

namespace Lucid.Ssh.Tests.Connection;

/// <summary>
/// SshConnection over real SshTransports (loopback TCP), where the transports' own loops feed and drain the
/// connection (IPacketSink / IPacketSource): bulk data arrives intact and in order, in both directions, and
/// messages the peer sent before the connection started are not lost.
/// </summary>
public sealed class TransportConnectionTests
{
    internal const int ChunkSize = 32 * 1024;

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", true)]
    [InlineData("aes128-gcm@openssh.com", false)]
    [InlineData("aes128-ctr", true)]
    public async Task Bulk_data_arrives_intact_in_either_direction(string cipher, bool download)
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = await BulkPair.StartAsync(cipher);
        var data = new byte[8 * 1024 * 1024 + 12345];
        new Random(7).NextBytes(data);

        var (sender, receiver) = download ? (pair.ServerChannel, pair.ClientChannel) : (pair.ClientChannel, pair.ServerChannel);
        var receiving = Task.Run(() => BulkPair.HashAsync(receiver, ct), ct);
        // Odd-sized writes: packet boundaries never line up with the pipe's blocks.
        for (int offset = 0; offset < data.Length; offset += 50_001)
            await sender.WriteAsync(data.AsMemory(offset, Math.Min(50_001, data.Length - offset)), ct);
        await sender.SendEofAsync(ct);
        var (length, hash) = await receiving;

        Assert.Equal(data.Length, length);
        Assert.Equal(SHA256.HashData(data), hash);
    }

    [Fact]
    public async Task Messages_sent_before_the_peer_connection_starts_are_delivered_in_order()
    {
        var ct = ConnectionPair.Timeout();
        var transports = await TransportPair.StartAsync();
        await using var client = new SshConnection(transports.Client);
        await using var server = new SshConnection(transports.Server);
        var seen = new List<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.GlobalRequestReceived = request =>
        {
            lock (seen)
            {
                seen.Add(request.Name);
                if (seen.Count == 20)
                    all.TrySetResult();
            }
            return false;
        };
        client.Start();
        for (int i = 0; i < 20; i++)
            await client.SendGlobalRequestAsync($"early-{i}@test", wantReply: false, cancellationToken: ct);
        // Let the requests reach the server's transport and wait in its queue before the connection takes over.
        await Task.Delay(200, ct);
        server.Start();
        await all.Task.WaitAsync(ct);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"early-{i}@test"), seen);
    }

    [Fact]
    public void Channel_memory_pool_hands_out_distinct_blocks_and_ignores_a_second_dispose()
    {
        var pool = ChannelMemoryPool.Shared;
        var first = pool.Rent();
        var second = pool.Rent(1000);
        Assert.Equal(ChannelMemoryPool.BlockSize, first.Memory.Length);
        first.Dispose();
        first.Dispose(); // must not put the block on the free list twice
        var third = pool.Rent();
        var fourth = pool.Rent();
        Assert.NotEqual(third, fourth);
        Assert.False(third.Memory.Span.Overlaps(fourth.Memory.Span));
        Assert.False(second.Memory.Span.Overlaps(third.Memory.Span));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(ChannelMemoryPool.BlockSize + 1));
        second.Dispose();
        third.Dispose();
        fourth.Dispose();
        Assert.Throws<ObjectDisposedException>(() => fourth.Memory);
    }
}

/// <summary>Two SshConnections over an SshTransport pair with one channel open between them.</summary>
internal sealed class BulkPair : IAsyncDisposable
{
    private readonly TransportPair _transports;

    private BulkPair(TransportPair transports, SshConnection client, SshConnection server, SshChannel clientChannel, SshChannel serverChannel)
    {
        _transports = transports;
        Client = client;
        Server = server;
        ClientChannel = clientChannel;
        ServerChannel = serverChannel;
    }

    public SshConnection Client { get; }
    public SshConnection Server { get; }
    public SshChannel ClientChannel { get; }
    public SshChannel ServerChannel { get; }

    public static async Task<BulkPair> StartAsync(string cipher, string? mac = null)
    {
        var transports = await TransportPair.StartAsync(
            c => { c.Ciphers = [cipher]; if (mac is not null) c.Macs = [mac]; },
            s => { s.Ciphers = [cipher]; if (mac is not null) s.Macs = [mac]; });
        var client = new SshConnection(transports.Client);
        var server = new SshConnection(transports.Server);
        var accepted = new TaskCompletionSource<SshChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ChannelOpenReceived = request => accepted.TrySetResult(request.Accept());
        client.Start();
        server.Start();
        var clientChannel = await client.OpenChannelAsync("bulk@test", cancellationToken: ConnectionPair.Timeout());
        var serverChannel = await accepted.Task.WaitAsync(ConnectionPair.Timeout());
        return new BulkPair(transports, client, server, clientChannel, serverChannel);
    }

    /// <summary>
    /// Reads the channel to EOF: the byte count and the SHA-256 of what arrived. <paramref name="firstResumed"/>
    /// runs once, where the first read resumed (on the read loop, for a reader resumed inline).
    /// </summary>
    public static async Task<(long Length, byte[] Hash)> HashAsync(SshChannel channel, CancellationToken ct, Action? firstResumed = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        while (true)
        {
            var result = await channel.Input.ReadAsync(ct);
            firstResumed?.Invoke();
            firstResumed = null;
            foreach (var segment in result.Buffer)
                hash.AppendData(segment.Span);
            length += result.Buffer.Length;
            channel.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
                return (length, hash.GetHashAndReset());
        }
    }

    /// <summary>Reads and discards <paramref name="count"/> bytes.</summary>
    public static async Task DrainAsync(SshChannel channel, long count, CancellationToken ct)
    {
        while (count > 0)
        {
            var result = await channel.Input.ReadAsync(ct);
            var take = result.Buffer.Slice(0, Math.Min(count, result.Buffer.Length));
            count -= take.Length;
            channel.Input.AdvanceTo(take.End);
            if (result.IsCompleted && count > 0)
                throw new InvalidOperationException("the channel ended early");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await _transports.DisposeAsync();
    }
}
