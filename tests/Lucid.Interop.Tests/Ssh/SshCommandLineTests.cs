using Lucid.Cli.Ssh;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Interop.Tests.Ssh;

public sealed class SshCommandLineTests
{
    private static SshInvocation Parse(params string[] args) => SshCommandLine.Parse(args);

    /// <summary>The configuration a connection would use for this command line, reading no file.</summary>
    private static EffectiveSshConfig Resolve(params string[] args) => SshConfigLoader.Resolve(Parse(["-F", "none", .. args]));

    [Fact]
    public void User_at_host_and_command_words()
    {
        var o = Parse("-p", "2222", "alice@example.org", "ls", "-l", "/tmp");
        Assert.Equal("example.org", o.Host);
        Assert.Equal(["ls", "-l", "/tmp"], o.Command);
        var c = Resolve("-p", "2222", "alice@example.org", "ls");
        Assert.Equal((2222, "alice", "example.org"), (c.Port, c.User, c.HostName));
    }

    [Fact]
    public void Options_after_the_destination_are_still_options()
    {
        var o = Parse("host", "-p", "23", "-T", "echo", "-p");
        Assert.Equal(["echo", "-p"], o.Command);
        var c = Resolve("host", "-p", "23", "-T", "echo", "-p");
        Assert.Equal((23, SshRequestTty.No), (c.Port, c.RequestTty));
    }

    [Fact]
    public void Ssh_uri_gives_user_host_and_port()
    {
        var c = Resolve("ssh://bob@server.example:2200");
        Assert.Equal(("bob", "server.example", 2200), (c.User, c.HostName, c.Port));
    }

    [Fact]
    public void First_value_wins_like_openssh()
    {
        var c = Resolve("-o", "Port=22", "-p", "2222", "-l", "bob", "alice@h");
        Assert.Equal((22, "bob"), (c.Port, c.User));
    }

    [Fact]
    public void Flags_ssh_assigns_outright_win_over_earlier_options()
    {
        // -T after -t, -q after -v, -C and -c over -o: what ssh's getopt loop does.
        var c = Resolve("-tTvvq", "-p2222", "-oUser=carol", "-o", "Compression=no", "-C", "-o", "Ciphers=aes128-ctr",
            "-c", "aes256-ctr", "h");
        Assert.Equal((SshRequestTty.No, LogLevel.Quiet, 2222, "carol"), (c.RequestTty, LogLevels.Parse(c.LogLevel), c.Port, c.User));
        Assert.True(c.Compression);
        Assert.Equal(["aes256-ctr"], c.Ciphers);
        Assert.Equal(SshRequestTty.Force, Resolve("-tt", "h").RequestTty);
        Assert.Equal("DEBUG2", Resolve("-q", "-vv", "h").LogLevel);
        Assert.Equal(2, Parse("-vv", "h").Verbosity);
    }

    [Fact]
    public void Dash_o_keywords_the_issue_lists()
    {
        var c = Resolve("-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=/a /b", "-o", "Ciphers=^aes128-ctr",
            "-o", "RekeyLimit=1G 1h", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "RequestTTY=force",
            "-o", "LogLevel=DEBUG2", "-o", "Compression yes", "-o", "PreferredAuthentications=password", "h");
        Assert.Equal(SshStrictHostKeyChecking.AcceptNew, c.StrictHostKeyChecking);
        Assert.Equal(["/a", "/b"], c.UserKnownHostsFiles);
        Assert.Equal("aes128-ctr", c.Ciphers[0]);
        Assert.Equal(1L << 30, c.RekeyLimit);
        Assert.Equal(TimeSpan.FromHours(1), c.RekeyInterval);
        Assert.True(c.BatchMode);
        Assert.Equal(TimeSpan.FromSeconds(5), c.ConnectTimeout);
        Assert.Equal(SshRequestTty.Force, c.RequestTty);
        Assert.Equal("DEBUG2", c.LogLevel);
        Assert.True(c.Compression);
        Assert.Equal(["password"], c.PreferredAuthentications);
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
        // OpenSSH 10.5, not Debian's 9.2: the post-quantum key exchanges are newer than 9.2.
        var ours = await Lucid.RunAsync("ssh", "-Q", what);
        var real = await ProcessRunner.RunAsync(OpenSsh105.Ssh, ["-Q", what]);
        Assert.Equal(0, ours.ExitCode);
        var names = ours.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(names);
        var known = real.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(names, n => Assert.Contains(n, known));
    }
}
