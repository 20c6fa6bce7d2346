namespace Lucid.Interop.Tests.Agent;

/// <summary>`lucid ssh-add` against Debian's OpenSSH ssh-agent, and `lucid ssh-agent`'s other modes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LucidSshAddTests : IAsyncLifetime
{
    private AgentScratch _scratch = null!;

    public async Task InitializeAsync()
    {
        _scratch = AgentScratch.Create();
        await _scratch.StartOpenSshAgentAsync();
    }

    public async Task DisposeAsync() => await _scratch.DisposeAsync();

    [Fact]
    public async Task Lucid_ssh_add_manages_keys_in_OpenSsh_agent()
    {
        var ed = await _scratch.KeyAsync("ed", "ed25519");
        var rsa = await _scratch.KeyAsync("rsa", "rsa", passphrase: "pass phrase");
        _scratch.Answer("pass phrase");

        var added = await _scratch.LucidSshAddAsync(ed, rsa);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal($"Identity added: {ed} (ed)\nIdentity added: {rsa} (rsa)\n", added.StdErr);

        var expected = await AgentScratch.FingerprintLineAsync(ed + ".pub") + "\n" + await AgentScratch.FingerprintLineAsync(rsa + ".pub") + "\n";
        var ours = await _scratch.LucidSshAddAsync("-l");
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(expected, ours.StdOut);
        Assert.Equal(expected, (await _scratch.SshAddAsync("-l")).StdOut); // OpenSSH's ssh-add sees the same
        Assert.Equal(File.ReadAllText(ed + ".pub") + File.ReadAllText(rsa + ".pub"), (await _scratch.LucidSshAddAsync("-L")).StdOut);

        var tested = await _scratch.LucidSshAddAsync("-T", ed + ".pub", rsa + ".pub");
        Assert.True(tested.ExitCode == 0, tested.ToString());

        var removed = await _scratch.LucidSshAddAsync("-d", rsa);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal($"Identity removed: {rsa} RSA (rsa)\n", removed.StdErr);
        Assert.Equal(await AgentScratch.FingerprintLineAsync(ed + ".pub") + "\n", (await _scratch.SshAddAsync("-l")).StdOut);

        _scratch.Answer("lock it");
        Assert.Equal("Agent locked.\n", (await _scratch.LucidSshAddAsync("-x")).StdErr);
        Assert.Equal("The agent has no identities.\n", (await _scratch.SshAddAsync("-l")).StdOut);
        _scratch.Answer("not it");
        var wrong = await _scratch.LucidSshAddAsync("-X");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Equal("Failed to unlock agent: agent refused operation\n", wrong.StdErr);
        _scratch.Answer("lock it");
        Assert.Equal("Agent unlocked.\n", (await _scratch.LucidSshAddAsync("-X")).StdErr);

        var cleared = await _scratch.LucidSshAddAsync("-D");
        Assert.Equal("All identities removed.\n", cleared.StdErr);
        var empty = await _scratch.LucidSshAddAsync("-l");
        Assert.Equal(1, empty.ExitCode);
        Assert.Equal("The agent has no identities.\n", empty.StdOut);
    }

    [Fact]
    public async Task Lucid_ssh_add_lifetime_and_confirm_are_sent_as_constraints()
    {
        var key = await _scratch.KeyAsync("k", "ed25519");
        var added = await _scratch.LucidSshAddAsync("-t", "5m", "-c", key);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal($"Identity added: {key} (k)\nLifetime set to 00:05:00\nThe user must confirm each use of the key\n", added.StdErr);
        _scratch.Answer(null); // OpenSSH's agent asks SSH_ASKPASS, which says no
        Assert.Equal(1, (await _scratch.LucidSshAddAsync("-T", key + ".pub")).ExitCode);
        Assert.Contains("confirm|Allow use of key k?", _scratch.AskpassLog);
    }

    [Fact]
    public async Task Without_an_agent_ssh_add_says_so_and_exits_2()
    {
        var env = _scratch.Environment;
        env["SSH_AUTH_SOCK"] = "";
        var none = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh-add", "-l"], environment: env);
        Assert.Equal(2, none.ExitCode);
        Assert.Equal("Could not open a connection to your authentication agent.\n", none.StdErr);

        env["SSH_AUTH_SOCK"] = Path.Combine(_scratch.Directory, "missing.sock");
        var missing = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh-add", "-l"], environment: env);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("Error connecting to agent: No such file or directory\n", missing.StdErr);
    }

    [Fact]
    public async Task Agent_running_a_command_gives_it_the_socket_and_goes_away_after()
    {
        var socket = Path.Combine(_scratch.Directory, "command.sock");
        var result = await ProcessRunner.RunAsync(Lucid.Executable,
            ["ssh-agent", "-a", socket, "sh", "-c", $"test \"$SSH_AUTH_SOCK\" = '{socket}' && {AgentScratch.DebianSshAdd} -l; exit 3"]);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("The agent has no identities.\n", result.StdOut);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (File.Exists(socket) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.False(File.Exists(socket), "the agent removes its socket when the command is done");
    }

    [Fact]
    public async Task Kill_stops_the_agent_named_by_SSH_AGENT_PID()
    {
        var socket = Path.Combine(_scratch.Directory, "kill.sock");
        var started = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh-agent", "-s", "-a", socket]);
        var pid = System.Text.RegularExpressions.Regex.Match(started.StdOut, @"SSH_AGENT_PID=(\d+)").Groups[1].Value;
        var killed = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh-agent", "-s", "-k"],
            environment: new Dictionary<string, string> { ["SSH_AGENT_PID"] = pid });
        Assert.Equal(0, killed.ExitCode);
        Assert.Equal($"unset SSH_AUTH_SOCK;\nunset SSH_AGENT_PID;\necho Agent pid {pid} killed;\n", killed.StdOut);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (File.Exists(socket) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.False(File.Exists(socket));
    }
}
