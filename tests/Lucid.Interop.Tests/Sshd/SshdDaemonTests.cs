namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// `lucid sshd -f cfg` without -D as OpenSSH's: the command returns 0 once the server listens, the server runs on in
/// the background with its PidFile, SIGHUP reloads for new connections while a live session continues, SIGTERM stops
/// it and removes the PidFile.
/// </summary>
public sealed class SshdDaemonTests
{
    private static string Lucid => global::Lucid.Interop.Tests.Lucid.Executable;

    [Fact]
    public async Task Without_dash_D_it_detaches_once_listening_and_keeps_its_pid_file()
    {
        using var scratch = await SshdScratch.CreateAsync("daemon");
        // ProcessRunner reads stdout and stderr to their end: it returns only if the background server let go of them.
        var start = await ProcessRunner.RunAsync(Lucid, ["sshd", "-f", scratch.ConfigPath, "-E", scratch.LogFile]);
        Assert.True(start.ExitCode == 0, start + "\n--- log\n" + scratch.Log);
        Assert.Equal("", start.StdOut + start.StdErr);
        var pid = int.Parse(File.ReadAllText(scratch.PidFile));
        Assert.True(SshdScratch.IsRunning(pid));
        Assert.NotEqual(start.ExitCode, pid);
        Assert.Contains($"Server listening on 127.0.0.1 port {scratch.Port}.", scratch.Log);

        Assert.Equal("before\n", (await scratch.SshAsync("echo before")).StdOut);

        // A live session: it waits for a line on stdin, sent only after the reload.
        var args = scratch.SshOptions();
        args.AddRange(["127.0.0.1", "read line; echo \"got $line\""]);
        await using var live = RunningProcess.Start("ssh", args);
        await scratch.WaitUntilAsync(() => scratch.Log.Contains("Accepted publickey", StringComparison.Ordinal) &&
            scratch.Log.Split("Accepted publickey").Length == 3, "the live session never logged in");

        scratch.WriteConfig("ForceCommand echo reloaded\n");
        File.Delete(scratch.PidFile);
        Assert.Equal(0, (await SshdScratch.SignalAsync(pid, "HUP")).ExitCode);
        await scratch.WaitUntilAsync(() => File.Exists(scratch.PidFile), "the PidFile did not come back after SIGHUP");
        Assert.Contains("Configuration reloaded; new connections use it, established ones keep theirs.", scratch.Log);
        Assert.Equal("reloaded\n", (await scratch.SshAsync("echo before")).StdOut);

        await live.Process.StandardInput.WriteLineAsync("still here");
        live.Process.StandardInput.Close();
        Assert.Equal(0, await live.WaitForExitAsync());
        Assert.Equal("got still here\n", live.Output);

        Assert.Equal(0, (await SshdScratch.SignalAsync(pid, "TERM")).ExitCode);
        await scratch.WaitUntilAsync(() => !File.Exists(scratch.PidFile) && !SshdScratch.IsRunning(pid), "SIGTERM did not stop the server and remove its PidFile");
        Assert.Contains("Received signal 15; terminating.", scratch.Log);
    }

    [Fact]
    public async Task Without_dash_D_a_port_in_use_fails_in_the_foreground_with_sshds_message()
    {
        using var scratch = await SshdScratch.CreateAsync("daemon-busy");
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, scratch.Port);
        busy.Start();
        var start = await ProcessRunner.RunAsync(Lucid, ["sshd", "-f", scratch.ConfigPath, "-E", scratch.LogFile]);
        Assert.Equal(255, start.ExitCode);
        Assert.Contains($"Bind to port {scratch.Port} on 127.0.0.1 failed: ", start.StdErr);
        Assert.Contains("Cannot bind any address.", start.StdErr);
        Assert.False(File.Exists(scratch.PidFile));
    }

    /// <summary>Issue 22, defect 7: nohup (or a supervisor) leaves SIGHUP ignored; sshd must still reload on it.</summary>
    [Fact]
    public async Task Sighup_reloads_even_when_it_was_ignored_at_start_and_a_bad_configuration_keeps_the_old_one()
    {
        using var scratch = await SshdScratch.CreateAsync("daemon-nohup");
        await using var server = RunningProcess.Start("sh", ["-c", $"trap '' HUP; exec \"$0\" sshd -D -e -f \"$1\"", Lucid, scratch.ConfigPath]);
        await server.WaitForOutputAsync("Server listening on");
        var pid = server.Process.Id;
        Assert.Equal("before\n", (await scratch.SshAsync("echo before")).StdOut);

        scratch.WriteConfig("ForceCommand echo reloaded\n");
        Assert.Equal(0, (await SshdScratch.SignalAsync(pid, "HUP")).ExitCode);
        await server.WaitForOutputAsync("Configuration reloaded");
        Assert.Equal("reloaded\n", (await scratch.SshAsync("echo before")).StdOut);

        File.WriteAllText(scratch.ConfigPath, "NoSuchKeyword yes\n" + scratch.CommonConfig);
        Assert.Equal(0, (await SshdScratch.SignalAsync(pid, "HUP")).ExitCode);
        await server.WaitForOutputAsync("Configuration not reloaded");
        Assert.Contains($"{scratch.ConfigPath}: line 1: Bad configuration option: NoSuchKeyword", server.Output);
        Assert.Contains("Configuration not reloaded: still serving with the previous configuration and host keys.\n", server.Output);
        Assert.True(SshdScratch.IsRunning(pid));
        Assert.Equal("reloaded\n", (await scratch.SshAsync("echo before")).StdOut);
    }

    [Fact]
    public async Task Sigint_stops_with_status_255_as_sshd_does()
    {
        using var scratch = await SshdScratch.CreateAsync("daemon-int");
        await using var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath]);
        await server.WaitForOutputAsync("Server listening on");
        Assert.True(File.Exists(scratch.PidFile));
        Assert.Equal(0, (await SshdScratch.SignalAsync(server.Process.Id, "INT")).ExitCode);
        Assert.Equal(255, await server.WaitForExitAsync());
        Assert.Contains("Received signal 2; terminating.", server.Output);
        Assert.False(File.Exists(scratch.PidFile));
    }
}
