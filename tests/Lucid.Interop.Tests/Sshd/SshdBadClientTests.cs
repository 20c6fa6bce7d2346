using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Misbehaving clients — garbage instead of a banner, an absurd packet length, a client that stops in the
/// middle of the key exchange, 100 connections that never authenticate — are each handled and logged,
/// while an already logged-in session keeps working and new logins still succeed.
/// </summary>
public sealed class SshdBadClientTests : IAsyncLifetime
{
    private LucidSshd _server = null!;

    public async Task InitializeAsync() => _server = await LucidSshd.StartAsync("LoginGraceTime 3");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(TcpClient Client, int LocalPort)> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _server.Port);
        return (client, ((IPEndPoint)client.Client.LocalEndPoint!).Port);
    }

    /// <summary>Reads until the server closes the connection (or 10 seconds pass); returns what it sent.</summary>
    private static async Task<string> ReadToCloseAsync(TcpClient client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[65536];
        var all = new MemoryStream();
        try
        {
            int n;
            while ((n = await client.GetStream().ReadAsync(buffer, cts.Token)) > 0)
                all.Write(buffer, 0, n);
        }
        catch (IOException)
        {
        }
        return Encoding.ASCII.GetString(all.ToArray());
    }

    [Fact]
    public async Task Bad_clients_are_handled_and_logged_while_a_session_keeps_working()
    {
        // A logged-in session that echoes lines for as long as we feed it.
        var args = new List<string>(_server.SshArguments()) { "while read l; do echo \"got $l\"; done" };
        var info = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        args.ForEach(info.ArgumentList.Add);
        using var session = Process.Start(info)!;
        async Task Echo(string word)
        {
            await session.StandardInput.WriteLineAsync(word);
            await session.StandardInput.FlushAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Assert.Equal($"got {word}", await session.StandardOutput.ReadLineAsync(cts.Token));
        }
        await Echo("first");

        // Garbage instead of a banner.
        var (garbage, garbagePort) = await ConnectAsync();
        using (garbage)
        {
            await garbage.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            Assert.StartsWith("SSH-2.0-", await ReadToCloseAsync(garbage));
        }
        await _server.WaitForLogAsync($"Connection from 127.0.0.1 port {garbagePort}: kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.1\"");
        await Echo("after-garbage");

        // A sane banner, then a packet claiming to be 2 GiB long.
        var (huge, hugePort) = await ConnectAsync();
        using (huge)
        {
            await huge.GetStream().WriteAsync("SSH-2.0-Evil_1.0\r\n"u8.ToArray());
            await huge.GetStream().WriteAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
            await ReadToCloseAsync(huge);
        }
        await _server.WaitForLogAsync($"Connection from 127.0.0.1 port {hugePort}: Bad packet length 2147483647. [preauth]");
        await Echo("after-huge-packet");

        // A client that starts the key exchange and walks away.
        var (quitter, quitterPort) = await ConnectAsync();
        using (quitter)
        {
            await quitter.GetStream().WriteAsync("SSH-2.0-Quitter_1.0\r\n"u8.ToArray());
            var buffer = new byte[4096];
            _ = await quitter.GetStream().ReadAsync(buffer); // the server's banner and (some of) its KEXINIT
        }
        await _server.WaitForLogAsync($"Connection closed by 127.0.0.1 port {quitterPort} [preauth]");
        await Echo("after-quitter");

        // 100 connections that send a banner and then nothing: MaxStartups drops some at once, LoginGraceTime the rest.
        var idle = new List<TcpClient>();
        for (var i = 0; i < 100; i++)
        {
            var (c, _) = await ConnectAsync();
            idle.Add(c);
            try
            {
                await c.GetStream().WriteAsync("SSH-2.0-Idle_1.0\r\n"u8.ToArray());
            }
            catch (IOException)
            {
                // Dropped past MaxStartups before we could write: that is one of the expected outcomes.
            }
        }
        await Echo("during-flood");
        var log = await _server.WaitForLogAsync("Timeout before authentication for 127.0.0.1 port ", TimeSpan.FromSeconds(20));
        Assert.Contains("past MaxStartups", log);
        foreach (var c in idle)
            c.Dispose();
        await Echo("after-flood");

        // And a new login still works.
        var fresh = await _server.SshAsync("echo fresh");
        Assert.True(fresh.ExitCode == 0, fresh.ToString() + "\n--- log\n" + _server.Log);
        Assert.Equal("fresh\n", fresh.StdOut);

        session.StandardInput.Close();
        await session.WaitForExitAsync();
        Assert.Equal(0, session.ExitCode);
    }

    [Fact]
    public async Task LoginGraceTime_disconnects_a_client_that_never_authenticates()
    {
        var (slow, slowPort) = await ConnectAsync();
        using (slow)
        {
            await slow.GetStream().WriteAsync("SSH-2.0-Slow_1.0\r\n"u8.ToArray());
            // The server sends its banner and KEXINIT, waits LoginGraceTime (3 s here), then hangs up.
            Assert.StartsWith("SSH-2.0-", await ReadToCloseAsync(slow));
        }
        await _server.WaitForLogAsync($"Timeout before authentication for 127.0.0.1 port {slowPort}");
    }
}
