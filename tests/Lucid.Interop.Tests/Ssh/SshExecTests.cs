using System.Security.Cryptography;
using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>`lucid ssh host command` against a real sshd: output, stderr, stdin with EOF, exit codes.</summary>
public sealed class SshExecTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync("LogLevel INFO");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ProcessResult> SshAsync(params string[] command) =>
        Lucid.RunAsync(["ssh", .. _server.SshArguments(), .. command]);

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    private string ShellCommand(params string[] command) =>
        string.Join(' ', new[] { Lucid.Executable, "ssh" }.Concat(_server.SshArguments()).Concat(command).Select(Quote));

    [Fact]
    public async Task Output_and_exit_status_are_the_remote_commands()
    {
        var ok = await SshAsync("echo", "hello", "world");
        Assert.Equal(("hello world\n", "", 0), (ok.StdOut, ok.StdErr, ok.ExitCode));

        var failing = await SshAsync("exit 42");
        Assert.Equal(("", "", 42), (failing.StdOut, failing.StdErr, failing.ExitCode));
    }

    [Fact]
    public async Task Stderr_stays_separate_from_stdout()
    {
        var result = await SshAsync("echo to-out; echo to-err >&2; exit 3");
        Assert.Equal(("to-out\n", "to-err\n", 3), (result.StdOut, result.StdErr, result.ExitCode));
    }

    [Fact]
    public async Task Stdin_is_streamed_and_its_end_reaches_the_remote_command()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-exec-").FullName;
        try
        {
            var input = Path.Combine(dir, "input");
            var output = Path.Combine(dir, "output");
            var data = RandomNumberGenerator.GetBytes(3 << 20);
            await File.WriteAllBytesAsync(input, data);
            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"{ShellCommand("cat")} < {Quote(input)} > {Quote(output)}"]);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(output))));

            // wc sees EOF and reports the count: stdin's end went through as EOF.
            var counted = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"{ShellCommand("wc", "-c")} < {Quote(input)}"]);
            Assert.Equal($"{data.Length}\n", counted.StdOut.TrimStart());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Dash_n_reads_nothing_from_stdin()
    {
        // stdin stays open (sleep holds the pipe, and bash does not wait for it); with -n the remote cat sees EOF at once.
        var result = await ProcessRunner.RunAsync("/bin/bash", ["-c", $"{ShellCommand("-n", "cat; echo done")} < <(sleep 30 >/dev/null 2>&1)"]);
        Assert.Equal(("done\n", 0), (result.StdOut, result.ExitCode));
    }

    [Fact]
    public async Task Killed_by_a_signal_is_exit_255_as_openssh()
    {
        var ours = await SshAsync("kill -9 $$");
        var real = await ProcessRunner.RunAsync("ssh", [.. _server.SshArguments(), "kill -9 $$"]);
        Assert.Equal(255, real.ExitCode);
        Assert.Equal((real.StdOut, real.StdErr, 255), (ours.StdOut, ours.StdErr, ours.ExitCode));
    }

    [Fact]
    public async Task Same_output_as_openssh_for_a_mixed_command()
    {
        string[] command = ["printf 'a\\nb\\n'; printf 'e\\n' >&2; uname -s; exit 5"];
        var ours = await SshAsync(command);
        var real = await ProcessRunner.RunAsync("ssh", [.. _server.SshArguments(), .. command]);
        Assert.Equal(real, ours);
    }

    [Fact]
    public async Task Verbose_prints_debug1_lines_at_openssh_stages()
    {
        var result = await SshAsync("-v", "true");
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdErr.Split("\r\n");
        Assert.Contains($"debug1: Connecting to 127.0.0.1 [127.0.0.1] port {_server.Port}.", lines);
        Assert.Contains("debug1: Connection established.", lines);
        Assert.Contains($"debug1: Authenticating to 127.0.0.1:{_server.Port} as '{_server.User}'", lines);
        Assert.Contains($"debug1: Host '[127.0.0.1]:{_server.Port}' is known and matches the ED25519 host key.", lines);
        Assert.Contains("debug1: Sending command: true", lines);
        Assert.Contains("debug1: Exit status 0", lines);
    }

    [Fact]
    public async Task Log_file_takes_the_debug_output()
    {
        var log = Path.GetTempFileName();
        try
        {
            var result = await SshAsync("-v", "-E", log, "echo", "x");
            Assert.Equal(("x\n", "", 0), (result.StdOut, result.StdErr, result.ExitCode));
            Assert.Contains("debug1: Connection established.\r\n", File.ReadAllText(log));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task Ssh_uri_and_dash_l_name_the_user()
    {
        var args = _server.SshArguments().ToList();
        var hostIndex = args.LastIndexOf("127.0.0.1");
        args.RemoveRange(hostIndex - 2, 3); // "-l", user, host
        args.RemoveRange(args.IndexOf("-p"), 2);
        var result = await Lucid.RunAsync(["ssh", .. args, $"ssh://{_server.User}@127.0.0.1:{_server.Port}", "whoami"]);
        Assert.Equal(($"{_server.User}\n", 0), (result.StdOut, result.ExitCode));
    }

    [Fact]
    public async Task Dash_t_without_a_terminal_warns_and_dash_tt_forces_a_pty()
    {
        var ours = await SshAsync("-t", "tty");
        var real = await ProcessRunner.RunAsync("ssh", ["-t", .. _server.SshArguments(), "tty"]);
        Assert.Equal("Pseudo-terminal will not be allocated because stdin is not a terminal.\r\n", real.StdErr);
        Assert.Equal(real, ours);

        var forced = await SshAsync("-tt", "tty; exit 4");
        Assert.Matches(@"^/dev/pts/\d+\r\n$", forced.StdOut);
        Assert.Equal(("Connection to 127.0.0.1 closed.\r\n", 4), (forced.StdErr, forced.ExitCode));
    }

    [Theory]
    [InlineData("-C")]
    [InlineData("-o", "RekeyLimit=32K")]
    public async Task Compression_and_low_rekey_limits_keep_the_data_intact(params string[] flags)
    {
        var dir = Directory.CreateTempSubdirectory("lucid-exec-").FullName;
        try
        {
            var input = Path.Combine(dir, "input");
            var output = Path.Combine(dir, "output");
            var log = Path.Combine(dir, "log");
            var data = RandomNumberGenerator.GetBytes(300_000);
            await File.WriteAllBytesAsync(input, data);
            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"{ShellCommand([.. flags, "-v", "-E", log, "cat"])} < {Quote(input)} > {Quote(output)}"]);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(output))));
            var lines = File.ReadAllText(log);
            if (flags[0] == "-C")
                Assert.Contains("compression: zlib@openssh.com\r\n", lines);
            else
                Assert.True(lines.Split("debug1: SSH2_MSG_NEWKEYS received").Length > 3, lines); // the first KEX and at least two rekeys
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
