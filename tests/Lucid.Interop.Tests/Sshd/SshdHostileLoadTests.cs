using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Lucid.Ssh;
using Lucid.Ssh.Client;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Hostile load on 127.0.0.1, each while a logged-in OpenSSH session uploads data through `sha256sum`: that session
/// must end with the sha256 of what was sent, and the server must stay within a bounded memory and keep serving.
/// </summary>
public sealed class SshdHostileLoadTests
{
    /// <summary>What sshd's resident memory may grow by during any of these attacks.</summary>
    private const long MemoryBound = 96L * 1024 * 1024;

    [Fact]
    public async Task A_thousand_connections_stalling_after_the_banner_do_not_keep_a_real_login_out()
    {
        // OpenSSH's defaults: random early drop from 10 unauthenticated connections, all dropped at 100.
        await using var server = await LucidSshd.StartAsync("MaxStartups 10:30:100", "LoginGraceTime 10");
        await using var live = await LiveUpload.StartAsync(server);

        var stalled = new List<Socket>();
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                stalled.Add(socket);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, server.Port);
                    await socket.SendAsync("SSH-2.0-Stall_1.0\r\n"u8.ToArray());
                }
                catch (SocketException)
                {
                    // Dropped past MaxStartups before the banner went: one of the expected outcomes.
                }
            }
            await server.WaitForLogAsync("past MaxStartups");

            // A real user retries as ssh's ConnectionAttempts would; LoginGraceTime frees the stalled slots in 10 s.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            ProcessResult login;
            while (true)
            {
                login = await server.SshAsync("echo logged-in", options: ["-o", "ConnectTimeout=20"]);
                if (login.ExitCode == 0 || DateTime.UtcNow > deadline)
                    break;
                await Task.Delay(500);
            }
            Assert.True(login.ExitCode == 0 && login.StdOut == "logged-in\n", login.ToString());
        }
        finally
        {
            foreach (var socket in stalled)
                socket.Dispose();
        }
        await live.FinishAsync();
    }

    [Fact]
    public async Task Ten_thousand_channels_opened_and_closed_by_one_client()
    {
        await using var server = await LucidSshd.StartAsync();
        await using var client = await ConnectAsync(server);
        var baseline = Rss(server);
        await using var live = await LiveUpload.StartAsync(server);

        // Eight at a time (MaxSessions is 10), each closed both ways before the next opens.
        var opened = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref opened) <= 10_000)
            {
                await using var session = await client.OpenSessionAsync();
                await session.Channel.CloseAsync();
            }
        })));

        var result = await client.RunCommandAsync("echo after-10000");
        Assert.Equal("after-10000\n", result.StandardOutput);
        AssertBounded(server, baseline);
        await live.FinishAsync();
    }

    [Fact]
    public async Task A_window_adjust_past_2_to_the_32_ends_that_connection_only()
    {
        await using var server = await LucidSshd.StartAsync();
        await using var live = await LiveUpload.StartAsync(server);
        await using var client = await ConnectAsync(server);
        await using var session = await client.OpenSessionAsync();
        Assert.True(await session.Channel.SendRequestAsync("exec", StringPayload("sleep 30")));

        // Two adjusts of 2^32-1: the second cannot fit in the server's uint32 window for this channel.
        for (var i = 0; i < 2; i++)
            await client.Transport.SendAsync(Message(93, session.Channel.RemoteId, uint.MaxValue));

        await Assert.ThrowsAnyAsync<SshException>(() => client.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        await server.WaitForLogAsync("adjust 4294967295 overflows remote window");
        await live.FinishAsync();
        var after = await server.SshAsync("echo still-serving");
        Assert.True(after.ExitCode == 0 && after.StdOut == "still-serving\n", after.ToString());
    }

    [Fact]
    public async Task Data_beyond_the_window_ends_that_connection_and_is_never_buffered()
    {
        await using var server = await LucidSshd.StartAsync();
        await using var client = await ConnectAsync(server);
        var baseline = Rss(server);
        await using var live = await LiveUpload.StartAsync(server);
        await using var session = await client.OpenSessionAsync();
        // A program that never reads: the window is all the server will take before it says no.
        Assert.True(await session.Channel.SendRequestAsync("exec", StringPayload("sleep 30")));

        var chunk = new byte[32 * 1024];
        try
        {
            for (var i = 0; i < 64 * 1024 * 1024 / chunk.Length; i++)
                await client.Transport.SendAsync(DataMessage(session.Channel.RemoteId, chunk));
        }
        catch (SshException)
        {
            // The server hung up part-way: what this test expects.
        }

        await Assert.ThrowsAnyAsync<SshException>(() => client.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        await server.WaitForLogAsync("left in the window");
        AssertBounded(server, baseline);
        await live.FinishAsync();
    }

    [Fact]
    public async Task A_client_that_stops_reading_holds_the_server_to_one_window()
    {
        await using var server = await LucidSshd.StartAsync();
        var warm = await server.SshAsync("true");
        Assert.True(warm.ExitCode == 0, warm.ToString());
        var baseline = Rss(server);
        await using var live = await LiveUpload.StartAsync(server);

        // OpenSSH's ssh whose stdout nobody reads: it stops reading the socket once its window is full.
        var info = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in server.SshArguments())
            info.ArgumentList.Add(a);
        info.ArgumentList.Add("cat /dev/zero");
        using var stuck = Process.Start(info)!;
        try
        {
            for (var i = 0; i < 10; i++)
            {
                await Task.Delay(500);
                AssertBounded(server, baseline);
            }
        }
        finally
        {
            stuck.Kill();
            await stuck.WaitForExitAsync();
        }
        await live.FinishAsync();
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static async Task<SshClient> ConnectAsync(LucidSshd server)
    {
        var options = new SshClientOptions { User = LucidSshd.TestUser, HostKeyVerifier = (_, _) => ValueTask.FromResult(true) };
        options.IdentityFiles.Add(server.ClientKeyPath());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await SshClient.ConnectAsync("127.0.0.1", server.Port, options, timeout.Token);
    }

    private static byte[] StringPayload(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var payload = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)bytes.Length);
        bytes.CopyTo(payload, 4);
        return payload;
    }

    private static byte[] Message(byte type, uint channel, uint value)
    {
        var payload = new byte[9];
        payload[0] = type;
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(5), value);
        return payload;
    }

    private static byte[] DataMessage(uint channel, byte[] data)
    {
        var payload = new byte[9 + data.Length];
        payload[0] = 94;
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(5), (uint)data.Length);
        data.CopyTo(payload, 9);
        return payload;
    }

    private static void AssertBounded(LucidSshd server, long baseline)
    {
        var grown = Rss(server) - baseline;
        Assert.True(grown <= MemoryBound, $"sshd's RSS grew by {grown / 1024} KiB under attack (bound {MemoryBound / 1024} KiB)");
    }

    private static long Rss(LucidSshd server)
    {
        var line = File.ReadLines($"/proc/{server.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// An OpenSSH ssh session that feeds random data to `sha256sum` for as long as the attack lasts, then checks
    /// that the server's program hashed exactly what was sent.
    /// </summary>
    private sealed class LiveUpload : IAsyncDisposable
    {
        private readonly Process _ssh;
        private readonly Task<string> _output;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _feeding;
        private long _sent;

        private LiveUpload(Process ssh)
        {
            _ssh = ssh;
            _output = ssh.StandardOutput.ReadToEndAsync();
            _feeding = Task.Run(FeedAsync);
        }

        public static async Task<LiveUpload> StartAsync(LucidSshd server)
        {
            var info = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in server.SshArguments())
                info.ArgumentList.Add(a);
            info.ArgumentList.Add("sha256sum");
            var live = new LiveUpload(Process.Start(info)!);
            _ = live._ssh.StandardError.ReadToEndAsync();
            // Under way before the attack starts.
            while (Interlocked.Read(ref live._sent) < 1024 * 1024 && !live._feeding.IsCompleted)
                await Task.Delay(20);
            return live;
        }

        private async Task FeedAsync()
        {
            var chunk = new byte[64 * 1024];
            var stdin = _ssh.StandardInput.BaseStream;
            while (!_stop.IsCancellationRequested)
            {
                RandomNumberGenerator.Fill(chunk);
                await stdin.WriteAsync(chunk);
                await stdin.FlushAsync();
                _hash.AppendData(chunk);
                Interlocked.Add(ref _sent, chunk.Length);
                // A steady trickle (about 6 MB/s) rather than a flood: the session lasts the whole attack.
                await Task.Delay(10);
            }
        }

        /// <summary>Ends the upload and asserts the remote sha256sum saw exactly the bytes sent.</summary>
        public async Task FinishAsync()
        {
            _stop.Cancel();
            await _feeding;
            _ssh.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _ssh.WaitForExitAsync(cts.Token);
            var expected = Convert.ToHexStringLower(_hash.GetHashAndReset()) + "  -\n";
            Assert.True(_ssh.ExitCode == 0 && await _output == expected,
                $"the live session ended {_ssh.ExitCode} with \"{await _output}\" for {_sent} bytes sent (expected {expected.Trim()})");
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            if (!_ssh.HasExited)
                _ssh.Kill();
            _ssh.Dispose();
            _hash.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
