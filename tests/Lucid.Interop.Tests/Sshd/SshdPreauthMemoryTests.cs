using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Connections that never authenticate cost the server a few KiB each while they are held, and nothing once they
/// are gone: 1,000 of them that only send a banner, twice over. Each connection used to take two 512 KiB buffers
/// that were wiped in full on return, which made every page resident: ~1 GB kept after one such burst.
/// </summary>
public sealed class SshdPreauthMemoryTests
{
    private const int Connections = 1000;

    /// <summary>What 1,000 held pre-authentication connections may add to sshd's resident memory: 48 KiB each.</summary>
    private const long HeldBound = Connections * 48L * 1024;

    /// <summary>What may remain once they have closed (the runtime keeps some of what it grew to, not all of it).</summary>
    private const long AfterBound = Connections * 48L * 1024;

    [Fact]
    public async Task A_thousand_banner_only_connections_cost_a_bounded_few_KiB_each_and_release_it()
    {
        await using var server = await LucidSshd.StartAsync("MaxStartups 1100:30:1200", "LoginGraceTime 120", "LogLevel INFO");
        var warm = await server.SshAsync("true");
        Assert.True(warm.ExitCode == 0, warm.ToString());
        await Task.Delay(1000);
        var baseline = Rss(server);

        for (var burst = 1; burst <= 2; burst++)
        {
            var sockets = await OpenStalledAsync(server);
            try
            {
                var held = Rss(server) - baseline;
                Assert.True(held <= HeldBound,
                    $"burst {burst}: {Connections} pre-authentication connections added {held / 1024} KiB to sshd's RSS (bound {HeldBound / 1024} KiB)");
            }
            finally
            {
                foreach (var s in sockets)
                    s.Dispose();
            }
            await WaitForClosedAsync(server, burst * Connections);
            var after = Rss(server) - baseline;
            Assert.True(after <= AfterBound,
                $"burst {burst}: after {Connections} pre-authentication connections closed sshd's RSS stayed {after / 1024} KiB above its baseline (bound {AfterBound / 1024} KiB)");
        }

        var login = await server.SshAsync("echo still-serving");
        Assert.True(login.ExitCode == 0 && login.StdOut == "still-serving\n", login.ToString());
    }

    /// <summary>
    /// Opens the connections, each sending only its banner, and waits until the server has answered every one with
    /// its KEXINIT (so each is held in the key exchange, its buffers in use).
    /// </summary>
    private static async Task<List<Socket>> OpenStalledAsync(LucidSshd server)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < Connections; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, server.Port);
            await socket.SendAsync("SSH-2.0-Stall_1.0\r\n"u8.ToArray());
            sockets.Add(socket);
        }
        // The server's banner and KEXINIT (about 1.5 KB) reach each socket once its connection is being served.
        var buffer = new byte[8192];
        foreach (var socket in sockets)
        {
            var received = 0;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (received < 200)
            {
                var n = await socket.ReceiveAsync(buffer, cts.Token);
                Assert.True(n > 0, $"the server closed a held connection:\n{server.Log[^Math.Min(server.Log.Length, 2000)..]}");
                received += n;
            }
        }
        return sockets;
    }

    /// <summary>Waits until sshd has logged <paramref name="total"/> pre-authentication closes, then a moment more.</summary>
    private static async Task WaitForClosedAsync(LucidSshd server, int total)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        int closed;
        while ((closed = server.Log.Split('\n').Count(l => l.StartsWith("Connection closed by 127.0.0.1 port", StringComparison.Ordinal))) < total)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {closed} of {total} connections were seen closing");
            await Task.Delay(200);
        }
        await Task.Delay(2000);
    }

    /// <summary>sshd's resident set size (VmRSS), in bytes.</summary>
    private static long Rss(LucidSshd server)
    {
        var line = File.ReadLines($"/proc/{server.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
