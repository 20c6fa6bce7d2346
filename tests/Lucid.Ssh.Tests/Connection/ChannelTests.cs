using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Connection;

public sealed class ChannelTests
{
    private static readonly SshChannelOptions Tiny = new() { WindowSize = 3000, MaxPacketSize = 1024 };

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Server side of an echo: copies stdin to stdout until EOF, then exit-status 0, EOF, CLOSE.</summary>
    private static async Task Echo(SshSession session)
    {
        await session.Channel.Input.CopyToAsync(session.Channel.Output);
        await session.SendExitStatusAsync(0);
        await session.CloseAsync();
    }

    [Fact]
    public async Task Data_round_trips_through_tiny_windows_on_both_sides()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair(Tiny, Tiny).ServeSessions(Echo).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        var data = Pattern(1_000_000, 1);

        var reading = Task.Run(async () =>
        {
            using var received = new MemoryStream();
            await session.StandardOutput.CopyToAsync(received, ct);
            return received.ToArray();
        }, ct);
        await using (var stdin = session.StandardInput)
        {
            for (int offset = 0; offset < data.Length; offset += 7777)
                await stdin.WriteAsync(data.AsMemory(offset, Math.Min(7777, data.Length - offset)), ct);
        }
        var echoed = await reading;
        var exit = await session.WaitForExitAsync(ct);

        Assert.Equal(SHA256.HashData(data), SHA256.HashData(echoed));
        Assert.Equal(0, exit.ExitCode);
    }

    [Fact]
    public async Task Writer_waits_for_window_and_resumes_after_adjust()
    {
        var ct = ConnectionPair.Timeout();
        var serverReady = new TaskCompletionSource<SshSession>();
        await using var pair = new ConnectionPair(serverOptions: Tiny)
            .ServeSessions(s => { serverReady.SetResult(s); return Task.CompletedTask; }).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        var server = await serverReady.Task;

        // The server's window is 3000 bytes and nobody reads yet: the write must stop at the window.
        var write = session.Channel.WriteAsync(Pattern(10_000, 2), ct).AsTask();
        while (session.Channel.RemoteWindow != 0)
            await Task.Delay(5, ct);
        Assert.False(write.IsCompleted);

        using var received = new MemoryStream();
        while (received.Length < 10_000)
        {
            var result = await server.Channel.Input.ReadAsync(ct);
            foreach (var segment in result.Buffer)
                received.Write(segment.Span);
            server.Channel.Input.AdvanceTo(result.Buffer.End);
        }
        await write;
        Assert.Equal(SHA256.HashData(Pattern(10_000, 2)), SHA256.HashData(received.ToArray()));
    }

    [Fact]
    public async Task Stdout_stderr_exit_status_then_eof_then_close_in_that_order()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().ServeSessions(async s =>
        {
            await s.Channel.WriteAsync("out\n"u8.ToArray());
            await s.Channel.WriteExtendedAsync("err\n"u8.ToArray());
            await s.SendExitStatusAsync(3);
            await s.CloseAsync();
        }).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        var stdout = new StreamReader(session.StandardOutput).ReadToEndAsync(ct);
        var stderr = new StreamReader(session.StandardError).ReadToEndAsync(ct);
        var exit = await session.WaitForExitAsync(ct);

        Assert.Equal("out\n", await stdout);
        Assert.Equal("err\n", await stderr);
        Assert.Equal(new SshExitStatus(3, null), exit);
        byte[] serverSent;
        lock (pair.ServerTransport.SentTypes)
            serverSent = [.. pair.ServerTransport.SentTypes];
        var channelMessages = serverSent.Where(t => t >= (byte)MessageNumber.ChannelData).ToArray();
        Assert.Equal(
            [(byte)MessageNumber.ChannelData, (byte)MessageNumber.ChannelExtendedData, (byte)MessageNumber.ChannelRequest,
             (byte)MessageNumber.ChannelEof, (byte)MessageNumber.ChannelClose],
            channelMessages);
        // The client answers the server's CLOSE with exactly one CLOSE and never sends anything after it.
        // Completion means CLOSE is queued both ways; give the send loop a moment to put ours on the wire.
        byte[] clientSent;
        do
        {
            await Task.Delay(5, ct);
            lock (pair.ClientTransport.SentTypes)
                clientSent = [.. pair.ClientTransport.SentTypes];
        }
        while (clientSent[^1] != (byte)MessageNumber.ChannelClose);
        Assert.Equal((byte)MessageNumber.ChannelClose, clientSent[^1]);
        Assert.Single(clientSent, t => t == (byte)MessageNumber.ChannelClose);
    }

    [Fact]
    public async Task Exit_signal_carries_name_core_flag_and_message()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().ServeSessions(async s =>
        {
            await s.SendExitSignalAsync(new SshExitSignal("SEGV", true, "Segmentation fault"));
            await s.CloseAsync();
        }).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        var exit = await session.WaitForExitAsync(ct);

        Assert.Null(exit.ExitCode);
        Assert.Equal(new SshExitSignal("SEGV", true, "Segmentation fault"), exit.Signal);
        Assert.Equal(255, exit.ToProcessExitCode());
    }

    [Fact]
    public async Task Many_channels_at_once_each_get_their_own_data()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair(Tiny, Tiny).ServeSessions(Echo).Start();
        var runs = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
            var data = Pattern(50_000 + i, i);
            var reading = Task.Run(async () =>
            {
                using var received = new MemoryStream();
                await session.StandardOutput.CopyToAsync(received, ct);
                return received.ToArray();
            }, ct);
            await session.Channel.WriteAsync(data, ct);
            await session.Channel.SendEofAsync(ct);
            var echoed = await reading;
            await session.WaitForExitAsync(ct);
            return SHA256.HashData(echoed).SequenceEqual(SHA256.HashData(data));
        }, ct)).ToArray();

        Assert.All(await Task.WhenAll(runs), Assert.True);
    }

    [Fact]
    public async Task Refused_open_reports_reason_and_description()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().Start();
        pair.Server.ChannelOpenReceived = r => r.Reject(ChannelOpenFailureReason.ConnectFailed, "Connection refused");

        var error = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenChannelAsync("direct-tcpip", cancellationToken: ct));
        Assert.Equal(ChannelOpenFailureReason.ConnectFailed, error.Reason);
        Assert.Equal("open failed: connect failed: Connection refused", error.Message);
    }

    [Fact]
    public async Task Unhandled_channel_types_are_refused()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().Start();

        var error = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.OpenChannelAsync("x11", cancellationToken: ct));
        Assert.Equal(ChannelOpenFailureReason.AdministrativelyProhibited, error.Reason);
    }

    [Fact]
    public async Task Peer_close_fails_a_writer_stuck_on_the_window()
    {
        var ct = ConnectionPair.Timeout();
        var serverReady = new TaskCompletionSource<SshSession>();
        await using var pair = new ConnectionPair(serverOptions: Tiny)
            .ServeSessions(s => { serverReady.SetResult(s); return Task.CompletedTask; }).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        var server = await serverReady.Task;
        var write = session.Channel.WriteAsync(new byte[100_000], ct).AsTask();
        while (session.Channel.RemoteWindow != 0)
            await Task.Delay(5, ct);

        await server.CloseAsync(ct);

        var error = await Assert.ThrowsAsync<SshException>(() => write);
        Assert.Equal($"channel {session.Channel.LocalId}: the channel is closed", error.Message);
        await session.Channel.Completion.WaitAsync(ct);
    }

    [Fact]
    public async Task Session_requests_reach_the_server_with_their_data()
    {
        var ct = ConnectionPair.Timeout();
        var seen = new List<string>();
        SshPtyRequest? pty = null;
        SshWindowSize? size = null;
        var done = new TaskCompletionSource();
        await using var pair = new ConnectionPair().Start();
        pair.Server.ChannelOpenReceived = r =>
        {
            var channel = r.Accept();
            channel.RequestReceived = req =>
            {
                lock (seen)
                    seen.Add(req.Type);
                switch (req.Type)
                {
                    case "pty-req": pty = SshPtyRequest.Decode(req.Data.Span); req.Reply(true); break;
                    case "window-change": size = SshWindowSize.Decode(req.Data.Span); break;
                    case "signal": done.SetResult(); break;
                    case "exec": req.Reply(false); break;
                    default: req.Reply(true); break;
                }
            };
        };
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        var modes = new SshTerminalModes().Set(SshTerminalModes.ECHO, 1).Set(SshTerminalModes.VINTR, 3).Set(SshTerminalModes.TtyOpOspeed, 38400);

        Assert.True(await session.RequestPtyAsync(new SshPtyRequest("xterm-256color", 80, 24, 640, 480) { Modes = modes }, ct));
        await session.SetEnvironmentVariableAsync("LANG", "C.UTF-8", ct);
        var refused = await Assert.ThrowsAsync<SshException>(() => session.ExecAsync("true", ct));
        await session.ChangeWindowSizeAsync(new SshWindowSize(120, 40), ct);
        await session.SignalAsync("INT", ct);
        await done.Task.WaitAsync(ct);

        Assert.Equal($"exec request failed on channel {session.Channel.LocalId}", refused.Message);
        Assert.Equal(["pty-req", "env", "exec", "window-change", "signal"], seen);
        Assert.Equal("xterm-256color", pty!.Term);
        Assert.Equal((80u, 24u, 640u, 480u), (pty.Columns, pty.Rows, pty.WidthPixels, pty.HeightPixels));
        Assert.Equal(modes.Modes, pty.Modes.Modes);
        Assert.Equal(new SshWindowSize(120, 40), size);
    }

    [Fact]
    public async Task Completing_the_output_pipe_sends_eof_after_the_data()
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = new ConnectionPair().ServeSessions(Echo).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);

        PipeWriter output = session.Channel.Output;
        await output.WriteAsync(Encoding.ASCII.GetBytes("hello pipes"), ct);
        await output.CompleteAsync();

        Assert.Equal("hello pipes", await new StreamReader(session.StandardOutput).ReadToEndAsync(ct));
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
    }

    [Fact]
    public async Task Cancelling_a_write_blocked_on_the_window_leaves_the_channel_usable()
    {
        var ct = ConnectionPair.Timeout();
        var serverReady = new TaskCompletionSource<SshSession>();
        await using var pair = new ConnectionPair(serverOptions: Tiny)
            .ServeSessions(s => { serverReady.SetResult(s); return Task.CompletedTask; }).Start();
        await using var session = await pair.Client.OpenSessionAsync(cancellationToken: ct);
        var server = await serverReady.Task;
        using var cancel = new CancellationTokenSource();

        var blocked = session.Channel.WriteAsync(new byte[5000], cancel.Token).AsTask();
        while (session.Channel.RemoteWindow != 0)
            await Task.Delay(5, ct);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);

        var reading = Task.Run(async () =>
        {
            long total = 0;
            while (true)
            {
                var result = await server.Channel.Input.ReadAsync(ct);
                total += result.Buffer.Length;
                server.Channel.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                    return total;
            }
        }, ct);
        await session.Channel.WriteAsync(new byte[4000], ct);
        await session.Channel.SendEofAsync(ct);
        // The 3000 bytes the window allowed before the cancel, then the 4000 written after it.
        Assert.Equal(7000, await reading);
    }
}
