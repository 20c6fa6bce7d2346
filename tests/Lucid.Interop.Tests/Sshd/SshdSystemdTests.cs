using System.Net.Sockets;
using System.Text;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// lucid sshd under systemd: the unit files pass `systemd-analyze verify`, sd_notify reaches a NOTIFY_SOCKET, and
/// socket activation (LISTEN_FDS/LISTEN_PID, passed by systemd's own systemd-socket-activate) is served.
/// </summary>
public sealed class SshdSystemdTests
{
    private static string Lucid => global::Lucid.Interop.Tests.Lucid.Executable;

    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(relative);
    }

    [Fact]
    public async Task The_unit_files_pass_systemd_analyze_verify()
    {
        using var scratch = await SshdScratch.CreateAsync("units");
        foreach (var unit in new[] { "lucid-sshd.service", "lucid-sshd.socket" })
        {
            // The units name /usr/local/bin/lucid, where the README installs it; verify checks that the programs exist.
            var text = File.ReadAllText(RepositoryFile(Path.Combine("packaging", "systemd", unit)));
            File.WriteAllText(Path.Combine(scratch.Directory, unit), text.Replace("/usr/local/bin/lucid", Lucid));
        }
        var service = File.ReadAllText(Path.Combine(scratch.Directory, "lucid-sshd.service"));
        Assert.Contains($"ExecStartPre={Lucid} sshd -t\n", service);
        Assert.Contains($"ExecReload={Lucid} sshd -t\nExecReload=/bin/kill -HUP $MAINPID\n", service);
        Assert.Contains("Type=notify\n", service);

        var r = await ProcessRunner.RunAsync("systemd-analyze", ["verify", "lucid-sshd.service", "lucid-sshd.socket"], workingDirectory: scratch.Directory);
        // Unknown keys and other mistakes are only warnings (exit 0): any output is a failure too.
        Assert.True(r.ExitCode == 0 && r.StdOut + r.StdErr == "", r.ToString());
    }

    [Fact]
    public async Task It_tells_a_notify_socket_ready_reloading_and_stopping()
    {
        using var scratch = await SshdScratch.CreateAsync("notify");
        var socketPath = Path.Combine(scratch.Directory, "notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        await using var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });
        var pid = server.Process.Id;

        var ready = await ReceiveAsync(socket);
        Assert.Equal($"READY=1\nMAINPID={pid}\nSTATUS=Listening", ready);
        Assert.Contains("Server listening on", server.Output); // READY=1 only once the socket listens
        Assert.Equal("up\n", (await scratch.SshAsync("echo up")).StdOut);

        Assert.Equal(0, (await SshdScratch.SignalAsync(pid, "HUP")).ExitCode);
        var reloading = await ReceiveAsync(socket);
        // Divided first: ticks times a million overflows a long once the machine has been up a few hours.
        var now = System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000);
        var lines = reloading.Split('\n');
        Assert.Equal("RELOADING=1", lines[0]);
        Assert.StartsWith("MONOTONIC_USEC=", lines[1]);
        // CLOCK_MONOTONIC in microseconds (Stopwatch reads the same clock on Linux): positive and not in the future.
        var usec = long.Parse(lines[1]["MONOTONIC_USEC=".Length..]);
        Assert.InRange(usec, 1, now);
        Assert.Equal($"READY=1\nMAINPID={pid}\nSTATUS=Listening", await ReceiveAsync(socket));

        Assert.Equal(0, (await SshdScratch.SignalAsync(pid, "TERM")).ExitCode);
        Assert.Equal("STOPPING=1\nSTATUS=Stopping", await ReceiveAsync(socket));
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    [Fact]
    public async Task It_serves_the_listening_socket_systemd_passes()
    {
        using var scratch = await SshdScratch.CreateAsync("activation");
        // The configuration's Port is not where the server listens: systemd's socket is.
        var passed = SshdScratch.FreePort();
        await using var server = RunningProcess.Start("systemd-socket-activate",
            ["-l", $"127.0.0.1:{passed}", Lucid, "sshd", "-D", "-e", "-f", scratch.ConfigPath]);
        await server.WaitForOutputAsync($"Listening on 127.0.0.1:{passed}");
        // systemd-socket-activate starts the server at the first connection, as systemd does.
        var r = await scratch.SshAsync("echo activated; printenv LISTEN_FDS || echo no LISTEN_FDS", passed);
        Assert.True(r.ExitCode == 0, r + "\n--- server\n" + server.Output);
        Assert.Equal("activated\nno LISTEN_FDS\n", r.StdOut);
        Assert.Contains($"Server listening on 127.0.0.1 port {passed}.", server.Output);
        Assert.DoesNotContain($"port {scratch.Port}.", server.Output);
        Assert.Equal("again\n", (await scratch.SshAsync("echo again", passed)).StdOut);
    }
}
