using Lucid.Cli.Ssh;

namespace Lucid.Interop.Tests.Ssh;

public sealed class SshCommandLineTests
{
    private static SshOptions Parse(params string[] args) => SshCommandLine.Parse(args).Options;

    [Fact]
    public void User_at_host_and_command_words()
    {
        var o = Parse("-p", "2222", "alice@example.org", "ls", "-l", "/tmp");
        Assert.Equal("example.org", o.Host);
        Assert.Equal("alice", o.User);
        Assert.Equal(2222, o.EffectivePort);
        Assert.Equal(["ls", "-l", "/tmp"], o.Command);
    }

    [Fact]
    public void Options_after_the_destination_are_still_options()
    {
        var o = Parse("host", "-p", "23", "-T", "echo", "-p");
        Assert.Equal(23, o.Port);
        Assert.True(o.DisableTty);
        Assert.Equal(["echo", "-p"], o.Command);
    }

    [Fact]
    public void Ssh_uri_gives_user_host_and_port()
    {
        var o = Parse("ssh://bob@server.example:2200");
        Assert.Equal(("bob", "server.example", 2200), (o.User, o.Host, o.Port));
    }

    [Fact]
    public void First_value_wins_like_openssh()
    {
        var o = Parse("-o", "Port=22", "-p", "2222", "-l", "bob", "alice@h");
        Assert.Equal(22, o.Port);
        Assert.Equal("bob", o.User);
    }

    [Fact]
    public void Clustered_flags_and_attached_arguments()
    {
        var o = Parse("-tTvvq", "-p2222", "-oUser=carol", "h");
        Assert.Equal(1, o.ForceTtyCount);
        Assert.True(o.DisableTty);
        Assert.Equal(2, o.Verbosity);
        Assert.Equal(2222, o.Port);
        Assert.Equal("carol", o.User);
    }

    [Fact]
    public void Dash_o_keywords_the_issue_lists()
    {
        var o = Parse("-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=/a /b", "-o", "Ciphers=^aes128-ctr",
            "-o", "RekeyLimit=1G 1h", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "RequestTTY=force",
            "-o", "LogLevel=DEBUG2", "-o", "Compression yes", "-o", "PreferredAuthentications=password", "h");
        Assert.Equal(StrictHostKeyChecking.AcceptNew, o.StrictHostKeyChecking);
        Assert.Equal(["/a", "/b"], o.UserKnownHostsFiles);
        Assert.Equal("^aes128-ctr", o.Ciphers);
        Assert.Equal(1L << 30, o.RekeyBytes);
        Assert.Equal(TimeSpan.FromHours(1), o.RekeyTime);
        Assert.True(o.BatchMode);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ConnectTimeout);
        Assert.Equal(RequestTty.Force, o.RequestTty);
        Assert.Equal(LogLevel.Debug2, o.EffectiveLogLevel);
        Assert.True(o.Compression);
        Assert.Equal("password", o.PreferredAuthentications);
    }

    // Each bad command line gets OpenSSH 9.2's exact message and exit status: checked against the real ssh.
    [Theory]
    [InlineData("-p", "abc", "h")]
    [InlineData("-p", "0", "h")]
    [InlineData("-o", "Foo=bar", "h")]
    [InlineData("-o", "StrictHostKeyChecking=maybe", "h")]
    [InlineData("-o", "Port=0", "h")]
    [InlineData("-o", "ConnectTimeout=abc", "h")]
    [InlineData("-o", "RequestTTY=maybe", "h")]
    [InlineData("-o", "LogLevel=foo", "h")]
    [InlineData("-o", "RekeyLimit=abc", "h")]
    [InlineData("-o", "BatchMode=maybe", "h")]
    [InlineData("-e", "xx", "h")]
    [InlineData("-c", "nonesuch", "h")]
    [InlineData("-m", "nonesuch", "h")]
    [InlineData("-Q", "foo")]
    [InlineData("-o", "Ciphers=+foo", "h")]
    [InlineData("-o", "MACs=foo", "h")]
    [InlineData("-o", "HostKeyAlgorithms=foo", "h")]
    [InlineData("-F", "/nonexistent/config", "h")]
    public async Task Bad_arguments_are_reported_as_openssh_does(params string[] args)
    {
        var real = await ProcessRunner.RunAsync("ssh", args);
        var ours = await Lucid.RunAsync(["ssh", .. args]);
        Assert.Equal(255, real.ExitCode);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }

    [Theory]
    [InlineData("-z")]
    [InlineData("-p")]
    public async Task Unknown_or_incomplete_options_print_the_error_then_usage(string arg)
    {
        var real = await ProcessRunner.RunAsync("ssh", [arg]);
        var ours = await Lucid.RunAsync("ssh", arg);
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal(real.StdErr.Split('\n')[0], ours.StdErr.Split('\n')[0]);
        Assert.StartsWith("usage: lucid ssh ", ours.StdErr.Split('\n')[1]);
    }

    [Fact]
    public async Task No_destination_prints_usage_and_exits_255()
    {
        var result = await Lucid.RunAsync("ssh");
        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith("usage: lucid ssh ", result.StdErr);
    }

    [Theory]
    [InlineData("cipher")]
    [InlineData("mac")]
    [InlineData("kex")]
    [InlineData("key")]
    public async Task Query_lists_names_openssh_also_knows(string what)
    {
        var ours = await Lucid.RunAsync("ssh", "-Q", what);
        var real = await ProcessRunner.RunAsync("ssh", ["-Q", what]);
        Assert.Equal(0, ours.ExitCode);
        var names = ours.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(names);
        var known = real.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(names, n => Assert.Contains(n, known));
    }

    [Fact]
    public void Config_file_applies_top_level_lines_and_matching_host_blocks()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# comment\nConnectTimeout 7\nHost other\n  Port 1\nHost *.example !bad.example\n  Port 2200\n  User = carol\nHost *\n  Port 3\n");
            var o = Parse("-F", path, "db.example");
            SshConfigFile.Apply(o, path);
            Assert.Equal((2200, "carol", TimeSpan.FromSeconds(7)), (o.Port, o.User, o.ConnectTimeout));

            var bad = Parse("-p", "9", "bad.example");
            SshConfigFile.Apply(bad, path);
            Assert.Equal(9, bad.Port); // the command line came first and wins
        }
        finally
        {
            File.Delete(path);
        }
    }
}
