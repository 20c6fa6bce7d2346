using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// Peers that break the protocol: each run ends within a bounded time with exit 255 and the message
/// OpenSSH's own ssh prints against the very same peer (run side by side as the reference).
/// </summary>
public sealed class BadPeerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static string[] Args(int port, params string[] extra) =>
        ["-F", "/dev/null", "-p", port.ToString(), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", .. extra, "127.0.0.1", "true"];

    private static async Task<(ProcessResult Real, ProcessResult Ours)> BothAsync(int port, params string[] extra)
    {
        var args = Args(port, extra);
        var real = await ProcessRunner.RunAsync("ssh", args, timeout: Bound);
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. args], timeout: Bound);
        return (real, ours);
    }

    [Fact]
    public async Task Non_ssh_banner_then_close()
    {
        await using var peer = new FakePeer(async (stream, ct) =>
        {
            await FakePeer.ReadLineAsync(stream, ct);
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), ct);
        });
        var (real, ours) = await BothAsync(peer.Port);
        Assert.Equal(255, real.ExitCode);
        Assert.Equal($"kex_exchange_identification: Connection closed by remote host\r\nConnection closed by 127.0.0.1 port {peer.Port}\r\n", real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }

    [Fact]
    public async Task Binary_garbage_banner()
    {
        await using var peer = new FakePeer(async (stream, ct) =>
        {
            await FakePeer.ReadLineAsync(stream, ct);
            await stream.WriteAsync(new byte[] { 0, 1, 2, (byte)'x', 0xff, (byte)'\r', (byte)'\n' }, ct);
            await FakePeer.DrainAsync(stream, ct);
        });
        var (real, ours) = await BothAsync(peer.Port);
        Assert.Equal(255, real.ExitCode);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }

    [Fact]
    public async Task Silent_server_times_out_during_banner_exchange()
    {
        await using var peer = new FakePeer(FakePeer.DrainAsync);
        var (real, ours) = await BothAsync(peer.Port, "-o", "ConnectTimeout=2");
        Assert.Equal($"Connection timed out during banner exchange\r\nConnection to 127.0.0.1 port {peer.Port} timed out\r\n", real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }

    // OpenSSH's ssh waits forever here; Lucid bounds the whole handshake by ConnectTimeout.
    [Fact]
    public async Task Server_that_stops_mid_key_exchange_times_out()
    {
        await using var peer = new FakePeer(async (stream, ct) =>
        {
            await stream.WriteAsync("SSH-2.0-Stalled_1.0\r\n"u8.ToArray(), ct);
            await FakePeer.DrainAsync(stream, ct);
        });
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. Args(peer.Port, "-o", "ConnectTimeout=2")], timeout: Bound);
        Assert.Equal($"Connection to 127.0.0.1 port {peer.Port} timed out\r\n", ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }

    [Fact]
    public async Task Corrupted_packet_after_key_exchange_fails_the_mac()
    {
        await using var server = await OpenSshServer.StartAsync();
        await using var proxy = new CorruptingProxy(server.Port);
        var (real, ours) = await BothAsync(proxy.Port, "-i", server.ClientKeyPath("ed25519"));
        Assert.Equal(255, real.ExitCode);
        // With an AEAD cipher OpenSSH reports only the dispatch failure.
        Assert.EndsWith($"ssh_dispatch_run_fatal: Connection to 127.0.0.1 port {proxy.Port}: message authentication code incorrect\r\n", real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }

    [Fact]
    public async Task Corrupted_packet_with_a_non_aead_cipher_and_mac()
    {
        await using var server = await OpenSshServer.StartAsync();
        await using var proxy = new CorruptingProxy(server.Port);
        var (real, ours) = await BothAsync(proxy.Port, "-i", server.ClientKeyPath("ed25519"), "-c", "aes128-ctr", "-m", "hmac-sha2-256-etm@openssh.com");
        Assert.True(real.StdErr.Contains("Corrupted MAC on input.\r\n"), real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }


    /// <summary>
    /// A bit flipped in the server's Nth encrypted packet (authentication, the channel open, the exec reply,
    /// the session's data): wherever it lands, ssh says "Corrupted MAC on input." and why the connection
    /// died, as its last words, word for word as OpenSSH's ssh (OpenSSH's regress test integrity reads them).
    /// </summary>
    [Fact]
    public async Task A_corrupted_packet_anywhere_after_key_exchange_is_reported_as_OpenSSH_reports_it()
    {
        await using var server = await OpenSshServer.StartAsync();
        for (var packet = 1; packet <= 8; packet++)
        {
            await using var proxy = new CorruptingProxy(server.Port, etmPacket: packet);
            var (real, ours) = await BothAsync(proxy.Port, "-i", server.ClientKeyPath("ed25519"),
                "-c", "aes128-ctr", "-m", "hmac-sha2-256-etm@openssh.com");
            Assert.True(real.StdErr.Contains("Corrupted MAC on input.\r\nssh_dispatch_run_fatal: ", StringComparison.Ordinal), $"packet {packet}: {real}");
            Assert.True(real.StdErr == ours.StdErr, $"packet {packet}\n--- OpenSSH\n{real}\n--- lucid\n{ours}");
            Assert.Equal(255, ours.ExitCode);
        }
    }
}
