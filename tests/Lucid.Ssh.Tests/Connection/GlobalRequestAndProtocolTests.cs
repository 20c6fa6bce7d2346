using System.Buffers;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Connection;

public sealed class GlobalRequestAndProtocolTests
{
    [Fact]
    public async Task Keepalive_and_unknown_requests_get_request_failure()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().Start();

        var keepalive = await pair.Client.SendGlobalRequestAsync("keepalive@openssh.com", cancellationToken: ct);
        var unknown = await pair.Client.SendGlobalRequestAsync("no-such-thing@example.com", new byte[] { 1, 2, 3 }, cancellationToken: ct);

        Assert.False(keepalive.Success);
        Assert.False(unknown.Success);
    }

    [Fact]
    public async Task A_handler_can_accept_global_requests_and_replies_keep_request_order()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().Start();
        pair.Server.GlobalRequestReceived = r => r.Name == "yes@example.com";

        var replies = await Task.WhenAll(
            pair.Client.SendGlobalRequestAsync("yes@example.com", cancellationToken: ct),
            pair.Client.SendGlobalRequestAsync("no@example.com", cancellationToken: ct),
            pair.Client.SendGlobalRequestAsync("yes@example.com", cancellationToken: ct));

        Assert.Equal([true, false, true], replies.Select(r => r.Success));
    }

    [Fact]
    public async Task Hostkeys_announcement_is_ignored_without_reply()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().Start();
        var handled = new List<string>();
        pair.Server.GlobalRequestReceived = r => { handled.Add(r.Name); return false; };

        await pair.Client.SendGlobalRequestAsync("hostkeys-00@openssh.com", new byte[] { 0, 0, 0, 0 }, wantReply: false, ct);
        // A later request's reply proves the first was processed (replies are in order).
        await pair.Client.SendGlobalRequestAsync("keepalive@openssh.com", cancellationToken: ct);

        Assert.Equal(["keepalive@openssh.com"], handled);
    }

    [Fact]
    public async Task Peer_sending_beyond_the_window_is_a_protocol_error()
    {
        var ct = ConnectionPair.Timeout();
        var (clientEnd, rawPeer) = InMemoryPacketConnection.CreatePair();
        var connection = new SshConnection(clientEnd, new SshChannelOptions { WindowSize = 4096, MaxPacketSize = 4096 });
        connection.Start();
        var opening = connection.OpenChannelAsync("session", cancellationToken: ct);

        using (var open = await rawPeer.ReceiveAsync(ct))
            Assert.Equal(MessageNumber.ChannelOpen, open.Type);
        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelOpenConfirmation).WriteUInt32(0).WriteUInt32(7)
            .WriteUInt32(65536).WriteUInt32(32768), ct);
        var channel = await opening;
        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelData).WriteUInt32(0).WriteString(new byte[3000]), ct);
        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelData).WriteUInt32(0).WriteString(new byte[3000]), ct);

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => connection.Completion.WaitAsync(ct));
        Assert.Equal("channel 0: peer sent 3000 bytes with only 1096 left in the window", error.Message);
        Assert.Equal(error.Message, clientEnd.DisconnectReason);
        await Assert.ThrowsAsync<SshProtocolException>(async () => await channel.Input.ReadAsync(ct));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Data_larger_than_the_announced_maximum_packet_is_dropped_as_openssh_does()
    {
        // channels.c: "rcvd big packet", the data discarded and the window untouched; the channel goes on.
        var ct = ConnectionPair.Timeout();
        var (clientEnd, rawPeer) = InMemoryPacketConnection.CreatePair();
        var log = new ListLogger();
        var connection = new SshConnection(clientEnd, new SshChannelOptions { WindowSize = 65536, MaxPacketSize = 4096 }, log);
        connection.Start();
        var opening = connection.OpenChannelAsync("session", cancellationToken: ct);

        using (var open = await rawPeer.ReceiveAsync(ct))
            Assert.Equal(MessageNumber.ChannelOpen, open.Type);
        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelOpenConfirmation).WriteUInt32(0).WriteUInt32(7)
            .WriteUInt32(65536).WriteUInt32(32768), ct);
        var channel = await opening;
        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelData).WriteUInt32(0).WriteString(new byte[4097]), ct);
        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelData).WriteUInt32(0).WriteString("after"u8), ct);
        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelEof).WriteUInt32(0), ct);

        var received = new List<byte>();
        while (true)
        {
            var result = await channel.Input.ReadAsync(ct);
            received.AddRange(result.Buffer.ToArray());
            channel.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
                break;
        }
        Assert.Equal("after", System.Text.Encoding.ASCII.GetString(received.ToArray()));
        Assert.Contains("channel 0: rcvd big packet 4097, maxpack 4096", log.Lines);
        Assert.False(connection.Completion.IsCompleted);
        await connection.DisposeAsync();
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        private readonly List<string> _lines = [];

        public List<string> Lines
        {
            get
            {
                lock (_lines)
                    return [.. _lines];
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
                _lines.Add(formatter(state, exception));
        }
    }

    [Fact]
    public async Task Data_for_a_nonexistent_channel_is_a_protocol_error()
    {
        var ct = ConnectionPair.Timeout();
        var (clientEnd, rawPeer) = InMemoryPacketConnection.CreatePair();
        await using var connection = new SshConnection(clientEnd);
        connection.Start();

        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelData).WriteUInt32(42).WriteString("x"u8), ct);

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => connection.Completion.WaitAsync(ct));
        Assert.Equal("received channel data for nonexistent channel 42", error.Message);
    }

    [Fact]
    public async Task Truncated_channel_message_is_a_protocol_error_not_a_crash()
    {
        var ct = ConnectionPair.Timeout();
        var (clientEnd, rawPeer) = InMemoryPacketConnection.CreatePair();
        await using var connection = new SshConnection(clientEnd);
        connection.Start();

        await Send(rawPeer, w => w.WriteByte((byte)MessageNumber.ChannelOpen).WriteString("session").WriteUInt32(1), ct);

        await Assert.ThrowsAsync<SshProtocolException>(() => connection.Completion.WaitAsync(ct));
    }

    [Fact]
    public async Task Peer_disconnect_fails_open_channels_and_pending_requests()
    {
        var ct = ConnectionPair.Timeout();
        var serverReady = new TaskCompletionSource();
        await using var pair = new ConnectionPair().ServeSessions(_ => { serverReady.SetResult(); return Task.CompletedTask; }).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        await serverReady.Task;
        var reading = session.Channel.Input.ReadAsync(ct).AsTask();

        await pair.ServerTransport.DisconnectAsync(Lucid.Ssh.DisconnectReason.ByApplication, "bye", ct);

        await Assert.ThrowsAsync<SshConnectionException>(() => reading);
        await Assert.ThrowsAsync<SshConnectionException>(() => pair.Client.Completion.WaitAsync(ct));
        await Assert.ThrowsAsync<SshConnectionException>(() => pair.Client.OpenSessionAsync(cancellationToken: ct));
    }

    private static ValueTask Send(InMemoryPacketConnection end, Action<SshWriter> build, CancellationToken ct)
    {
        using var writer = new SshWriter();
        build(writer);
        return end.SendAsync(writer.ToArray(), ct);
    }
}
