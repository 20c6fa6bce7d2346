using System.Globalization;
using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Agent;

/// <summary>`lucid ssh` taking keys from an agent (Debian's ssh-agent, and lucid's) into Debian's sshd.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LucidSshAgentAuthTests : IAsyncLifetime
{
    private AgentScratch _scratch = null!;
    private OpenSshServer _sshd = null!;

    public async Task InitializeAsync()
    {
        _scratch = AgentScratch.Create();
        await _scratch.StartOpenSshAgentAsync();
        _sshd = await OpenSshServer.StartAsync("MaxAuthTries 3");
    }

    public async Task DisposeAsync()
    {
        await _sshd.DisposeAsync();
        await _scratch.DisposeAsync();
    }

    private Task<ProcessResult> LucidSshAsync(params string[] options) => LucidSshCommandAsync("echo in", options);

    private Task<ProcessResult> LucidSshCommandAsync(string command, params string[] options) =>
        ProcessRunner.RunAsync(Lucid.Executable,
            ["ssh", "-F", "/dev/null", "-p", _sshd.Port.ToString(CultureInfo.InvariantCulture),
             "-o", "UserKnownHostsFile=" + _sshd.KnownHostsPath, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
             .. options, "-l", _sshd.User, _sshd.Host, command],
            environment: _scratch.Environment, timeout: TimeSpan.FromSeconds(45));

    [Fact]
    public async Task Forwarded_agent_serves_ssh_add_on_the_server()
    {
        var key = _sshd.ClientKeyPath("ed25519");
        Assert.Equal(0, (await _scratch.SshAddAsync(key)).ExitCode);
        var line = await AgentScratch.FingerprintLineAsync(key + ".pub");

        var forwarded = await LucidSshCommandAsync("ssh-add -l", "-A", "-o", NoFile);
        Assert.True(forwarded.ExitCode == 0, forwarded.ToString());
        Assert.Equal(line.Split(' ')[1], forwarded.StdOut.Split(' ')[1]); // the same key, seen through sshd's socket

        var notForwarded = await LucidSshCommandAsync("ssh-add -l", "-o", NoFile);
        Assert.Equal(2, notForwarded.ExitCode);
        Assert.EndsWith("Could not open a connection to your authentication agent.\n", notForwarded.StdErr);
    }

    private string NoFile => "IdentityFile=" + Path.Combine(_scratch.Directory, "none");

    [Fact]
    public async Task Agent_key_logs_in_and_IdentityAgent_none_leaves_the_agent_alone()
    {
        Assert.Equal(0, (await _scratch.SshAddAsync(_sshd.ClientKeyPath("ed25519"))).ExitCode);

        var viaAgent = await LucidSshAsync("-o", NoFile);
        Assert.True(viaAgent.ExitCode == 0, viaAgent.ToString());
        Assert.Equal("in\n", viaAgent.StdOut);

        var noAgent = await LucidSshAsync("-o", NoFile, "-o", "IdentityAgent=none", "-o", "PreferredAuthentications=publickey");
        Assert.Equal(255, noAgent.ExitCode);
        Assert.Contains("Permission denied (publickey", noAgent.StdErr);

        // IdentityAgent naming a variable, and a path: the same agent.
        var env = await ProcessRunner.RunAsync(Lucid.Executable,
            ["ssh", "-F", "/dev/null", "-p", _sshd.Port.ToString(CultureInfo.InvariantCulture),
             "-o", "UserKnownHostsFile=" + _sshd.KnownHostsPath, "-o", "BatchMode=yes", "-o", NoFile,
             "-o", "IdentityAgent=$MY_AGENT", "-l", _sshd.User, _sshd.Host, "echo in"],
            environment: new Dictionary<string, string> { ["MY_AGENT"] = _scratch.Socket, ["SSH_AUTH_SOCK"] = "" });
        Assert.True(env.ExitCode == 0, env.ToString());
        var path = await LucidSshAsync("-o", NoFile, "-o", "IdentityAgent=" + _scratch.Socket);
        Assert.True(path.ExitCode == 0, path.ToString());
    }

    [Fact]
    public async Task Six_agent_keys_hit_MaxAuthTries_and_IdentitiesOnly_logs_in()
    {
        // The production trap: the right key is fourth in the agent, the server allows three tries.
        for (int i = 0; i < 6; i++)
        {
            var key = i == 3 ? _sshd.ClientKeyPath("ed25519") : await _scratch.KeyAsync($"other{i}", "ed25519");
            var added = await _scratch.SshAddAsync(key);
            Assert.True(added.ExitCode == 0, added.ToString());
        }

        var trapped = await LucidSshAsync("-o", NoFile);
        Assert.Equal(255, trapped.ExitCode);
        Assert.Contains("Too many authentication failures", trapped.StdErr);
        Assert.Equal("", trapped.StdOut);

        // IdentitiesOnly with no usable file: not one agent key is offered.
        var none = await LucidSshAsync("-o", "IdentitiesOnly=yes", "-o", NoFile, "-o", "PreferredAuthentications=publickey");
        Assert.Equal(255, none.ExitCode);
        Assert.Contains("Permission denied (publickey", none.StdErr);
        Assert.DoesNotContain("Too many authentication failures", none.StdErr);

        // IdentitiesOnly: only the configured key is offered (the agent still signs for it).
        var only = await LucidSshAsync("-o", "IdentitiesOnly=yes", "-o", "IdentityFile=" + _sshd.ClientKeyPath("ed25519"));
        Assert.True(only.ExitCode == 0, only.ToString());
        Assert.Equal("in\n", only.StdOut);
    }
}
