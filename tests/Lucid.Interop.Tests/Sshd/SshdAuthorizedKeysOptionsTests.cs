namespace Lucid.Interop.Tests.Sshd;

/// <summary>authorized_keys options enforced by `lucid sshd`, each shown with OpenSSH's ssh.</summary>
public sealed class SshdAuthorizedKeysOptionsTests : IAsyncLifetime
{
    private LucidSshd _server = null!;

    public async Task InitializeAsync() => _server = await LucidSshd.StartAsync("PermitUserEnvironment yes");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Authorize(string options) =>
        File.WriteAllText(_server.AuthorizedKeysPath, $"{options} {File.ReadAllText(_server.ClientKeyPath() + ".pub").Trim()}\n");

    [Fact]
    public async Task Command_replaces_the_clients_command_which_is_kept_in_SSH_ORIGINAL_COMMAND()
    {
        Authorize("command=\"echo forced; echo \\\"[$SSH_ORIGINAL_COMMAND]\\\"; exit 4\"");
        var r = await _server.SshAsync("ls /");
        Assert.Equal(4, r.ExitCode);
        Assert.Equal("forced\n[ls /]\n", r.StdOut);
    }

    [Fact]
    public async Task From_refuses_a_client_outside_the_patterns_and_logs_why()
    {
        Authorize("from=\"10.0.0.0/8,*.example.com\"");
        var r = await _server.SshAsync("true");
        Assert.Equal(255, r.ExitCode);
        Assert.Contains($"{LucidSshd.TestUser}@127.0.0.1: Permission denied (publickey", r.StdErr);
        await _server.WaitForLogAsync($"{_server.AuthorizedKeysPath}:1: Authentication tried for {LucidSshd.TestUser} with correct key but not from a permitted host (host=127.0.0.1, ip=127.0.0.1, required=10.0.0.0/8,*.example.com).");
    }

    [Fact]
    public async Task From_with_a_matching_network_and_a_negation_elsewhere_allows()
    {
        Authorize("from=\"127.0.0.0/8,!10.1.2.3\"");
        var r = await _server.SshAsync("echo in");
        Assert.Equal("in\n", r.StdOut);
    }

    // ssh -tt treats a refused terminal as fatal: exit 255 after OpenSSH's message.
    [Fact]
    public async Task No_pty_refuses_the_terminal()
    {
        Authorize("no-pty");
        var r = await _server.SshAsync("tty", options: ["-tt"]);
        Assert.Equal(255, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Contains("PTY allocation request failed on channel 0", r.StdErr);
        var plain = await _server.SshAsync("tty; true");
        Assert.Equal("not a tty\n", plain.StdOut);
    }

    [Fact]
    public async Task Restrict_refuses_the_terminal_and_pty_gives_it_back()
    {
        Authorize("restrict");
        var refused = await _server.SshAsync("tty", options: ["-tt"]);
        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("PTY allocation request failed on channel 0", refused.StdErr);
        Authorize("restrict,pty");
        var allowed = await _server.SshAsync("tty", options: ["-tt"]);
        Assert.Matches(@"^/dev/pts/\d+\r?\n$", allowed.StdOut);
    }

    [Fact]
    public async Task Environment_sets_variables_when_PermitUserEnvironment_allows()
    {
        Authorize("environment=\"LUCID_GREETING=hello there\",environment=\"LUCID_GREETING=ignored\"");
        var r = await _server.SshAsync("echo \"$LUCID_GREETING\"");
        Assert.Equal("hello there\n", r.StdOut);
    }

    [Fact]
    public async Task An_expired_key_is_refused_and_a_future_expiry_is_not()
    {
        Authorize("expiry-time=\"20200101\"");
        var expired = await _server.SshAsync("true");
        Assert.Equal(255, expired.ExitCode);
        Authorize("expiry-time=\"29990101Z\"");
        var valid = await _server.SshAsync("echo valid");
        Assert.Equal("valid\n", valid.StdOut);
    }

    [Fact]
    public async Task Forwarding_and_user_rc_options_are_accepted_and_forwarding_is_refused()
    {
        Authorize("no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-user-rc,permitopen=\"127.0.0.1:9\",permitlisten=\"localhost:8022\"");
        var r = await _server.SshAsync("echo parsed");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("parsed\n", r.StdOut);
        // no-port-forwarding: a -W request is refused, the session itself is unharmed.
        var forward = await _server.SshAsync("", options: ["-W", "127.0.0.1:9"]);
        Assert.Equal(255, forward.ExitCode);
        Assert.Contains("stdio forwarding failed", forward.StdErr);
    }
}
