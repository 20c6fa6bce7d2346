namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// PrintMotd: the message of the day is shown for a login shell on a terminal — not for commands, not
/// without a terminal, not with PrintMotd no, not when the user has ~/.hushlogin. The motd file is the
/// test's own ($LUCID_SSHD_MOTD) so the machine's /etc/motd is left alone.
/// </summary>
public sealed class SshdMotdTests : IAsyncLifetime
{
    private const string Motd = "Welcome to the lucid motd test.\nSecond line.\n";
    private const string Shown = "Welcome to the lucid motd test.\r\nSecond line.\r\n";
    private readonly string _motd = Path.Combine(Path.GetTempPath(), $"lucid-motd-{Guid.NewGuid():N}");
    private Dictionary<string, string> _environment = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_motd, Motd);
        _environment = new() { ["LUCID_SSHD_MOTD"] = _motd };
    }

    public Task DisposeAsync()
    {
        File.Delete(_motd);
        return Task.CompletedTask;
    }

    /// <summary>An interactive login on a terminal (ssh -tt) that types exit.</summary>
    private static Task<ProcessResult> LoginAsync(LucidSshd server) => server.SshAsync("", options: ["-tt"], stdin: "exit\n");

    [Fact]
    public async Task A_login_shell_on_a_terminal_shows_the_motd_first()
    {
        await using var server = await LucidSshd.StartAsync(_environment, syslog: false);
        var r = await LoginAsync(server);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith(Shown, r.StdOut);
    }

    [Fact]
    public async Task Commands_and_shells_without_a_terminal_do_not_show_it()
    {
        await using var server = await LucidSshd.StartAsync(_environment, syslog: false);
        var command = await server.SshAsync("echo cmd", options: ["-tt"]);
        Assert.Equal("cmd\r\n", command.StdOut);
        var noTerminal = await server.SshAsync("", options: ["-T"], stdin: "echo plain\n");
        Assert.Equal("plain\n", noTerminal.StdOut);
    }

    [Fact]
    public async Task PrintMotd_no_and_hushlogin_keep_it_quiet()
    {
        await using (var quiet = await LucidSshd.StartAsync(_environment, syslog: false, "PrintMotd no"))
        {
            var r = await LoginAsync(quiet);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.DoesNotContain("Welcome to the lucid motd test.", r.StdOut);
        }

        await using var server = await LucidSshd.StartAsync(_environment, syslog: false);
        var hush = $"/home/{LucidSshd.TestUser}/.hushlogin";
        await File.WriteAllTextAsync(hush, "");
        try
        {
            var r = await LoginAsync(server);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.DoesNotContain("Welcome to the lucid motd test.", r.StdOut);
        }
        finally
        {
            File.Delete(hush);
        }
        Assert.StartsWith(Shown, (await LoginAsync(server)).StdOut);
    }
}
