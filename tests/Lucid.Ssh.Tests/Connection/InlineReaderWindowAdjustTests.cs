using System.Security.Cryptography;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Tests.Transport;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Connection;

/// <summary>
/// A server channel whose reader resumes inline on the read loop (sshd's stdin pump) sends its window adjusts from
/// the read loop too, instead of waking a pool thread for each.
/// </summary>
public sealed class InlineReaderWindowAdjustTests
{
    [Fact]
    public async Task Window_adjusts_for_an_inline_reader_leave_from_the_read_loop()
    {
        var ct = ConnectionPair.Timeout();
        var (clientSocket, serverSocket) = await TransportPair.SocketPairAsync();
        // The server's reads block, so its read loop, once running, keeps its thread: a write from that thread is
        // one the read loop made, never a pool work item's.
        var serverStream = new BlockingTrackedStream(serverSocket);
        // (On a thread of its own: with a blocking stream the accept would wait for the client's banner right here.)
        var serverTask = Task.Run(() => SshTransport.AcceptServerAsync(serverStream, new ServerTransportOptions { HostKeys = TransportPair.HostKeys }), ct);
        var clientTransport = await SshTransport.ConnectClientAsync(clientSocket, new ClientTransportOptions
        {
            Host = "pair",
            HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
        });
        var serverTransport = await serverTask;
        await using var client = new SshConnection(clientTransport);
        await using var server = new SshConnection(serverTransport);
        var accepted = new TaskCompletionSource<SshChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ChannelOpenReceived = request => accepted.TrySetResult(request.Accept(new SshChannelOptions { ResumeReaderInline = true, WindowSize = 2 * 1024 * 1024 }));
        client.Start();
        server.Start();
        var clientChannel = await client.OpenChannelAsync("test@lucid", cancellationToken: ct);
        var serverChannel = await accepted.Task.WaitAsync(ct);

        // 8 MiB through a 2 MiB window: an adjust about every megabyte consumed.
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        // The reader's first resumption is on the read loop: from then on, that thread's writes are counted.
        var receiving = BulkPair.HashAsync(serverChannel, ct, () => serverStream.Track(Environment.CurrentManagedThreadId));
        await clientChannel.WriteAsync(data, ct);
        await clientChannel.SendEofAsync(ct);
        var (length, hash) = await receiving.WaitAsync(ct);

        Assert.Equal(data.Length, length);
        Assert.Equal(SHA256.HashData(data), hash);
        // The server sends nothing else meanwhile: its writes from the read loop's thread are the adjusts.
        Assert.True(serverStream.WritesByTrackedThread >= 4, $"{serverStream.WritesByTrackedThread} writes from the read loop");
    }
}
