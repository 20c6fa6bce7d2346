using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.SshConfig;

/// <summary>
/// `lucid ssh` connects with the configuration ssh_config describes — the same one `ssh -G` prints — against a
/// real OpenSSH sshd: Host aliases, ~/.ssh/config, Include and Match, SendEnv/SetEnv/RemoteCommand, ProxyJump and
/// ProxyCommand from the file, and OpenSSH's exact words for a bad file. Where OpenSSH's ssh can run the same
/// case, it does, and both must agree.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SshConfigConnectTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;
    private ClientConfigSandbox _box = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenSshServer.StartAsync("AcceptEnv LUCID_*");
        _box = new ClientConfigSandbox(_server);
    }

    public async Task DisposeAsync()
    {
        _box.Dispose();
        await _server.DisposeAsync();
    }

    private int Port => _server.Port;

    [Fact]
    public async Task A_host_alias_supplies_hostname_port_user_and_a_tokenized_identity_file()
    {
        // Only the alias block names a key, and its name needs %h: the ECDSA key copied to id_127.0.0.1.
        _box.CopyClientKey("ecdsa256", Path.Combine(_box.Directory, "keys", "id_127.0.0.1"));
        var config = _box.Write("alias.conf", $"""
            Host alias
              HostName 127.0.0.1
              Port {Port}
              User {_server.User}
              IdentityFile {_box.Directory}/keys/id_%h
              IdentitiesOnly yes
              UserKnownHostsFile {_server.KnownHostsPath}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes
              BatchMode yes
            """, withDefaults: false);

        var ours = await _box.LucidAsync("-F", config, "alias", "echo via-alias");
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal("via-alias\n", ours.StdOut);
        await _server.WaitForLogAsync($"Accepted publickey for {_server.User} from 127.0.0.1 port");
        Assert.Matches("Accepted publickey for .* ECDSA SHA256:", _server.Log);
        var theirs = await _box.OpenSshAsync("-F", config, "alias", "echo via-alias");
        Assert.Equal(theirs.StdOut, ours.StdOut);
    }

    [Fact]
    public async Task Without_F_the_users_ssh_config_under_HOME_is_read_and_tilde_means_HOME()
    {
        _box.CopyClientKey("ed25519", Path.Combine(_box.Home, ".ssh", "id_home"));
        File.Copy(_server.KnownHostsPath, Path.Combine(_box.Home, ".ssh", "known_hosts"));
        _box.WriteUserConfig($"""
            Host viahome
              HostName 127.0.0.1
              Port {Port}
              User {_server.User}
              IdentityFile ~/.ssh/id_home
              IdentitiesOnly yes
              StrictHostKeyChecking yes
              BatchMode yes
            """, withDefaults: false);
        var environment = new Dictionary<string, string> { ["HOME"] = _box.Home };

        var result = await _box.LucidAsync(environment, "viahome", "echo from-home-config");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from-home-config\n", result.StdOut);

        // -F replaces ~/.ssh/config: the alias is then unknown (and unresolvable) as with OpenSSH.
        var withF = await _box.LucidAsync(environment, "-F", "/dev/null", "viahome", "true");
        Assert.Equal(255, withF.ExitCode);
        Assert.Contains("Could not resolve hostname viahome", withF.StdErr);
    }

    [Fact]
    public async Task Include_with_a_glob_and_Match_exec_and_user_choose_the_block_as_OpenSSH_does()
    {
        var flag = Path.Combine(_box.Directory, "flag");
        _box.Write("conf.d/10-match.conf", $"""
            Match originalhost picked user nobody
              Port 1
            Match originalhost picked exec "test -e {flag}"
              Port {Port}
            Match originalhost byuser user {_server.User}
              Port {Port}
            """, withDefaults: false);
        _box.Write("conf.d/ignored.txt", "Port 3\n", withDefaults: false);
        var config = _box.Write("main.conf", $"""
            Include {_box.Directory}/conf.d/*.conf
            Host picked byuser
              HostName 127.0.0.1
              Port 2
            """);

        // Without the flag file the exec criterion fails and the Host block's port 2 refuses, as with OpenSSH.
        var oursRefused = await _box.LucidAsync("-F", config, "picked", "true");
        var theirsRefused = await _box.OpenSshAsync("-F", config, "picked", "true");
        Assert.Equal(255, oursRefused.ExitCode);
        Assert.Equal(theirsRefused.StdErr, oursRefused.StdErr);
        Assert.Equal("ssh: connect to host 127.0.0.1 port 2: Connection refused\r\n", oursRefused.StdErr);

        File.WriteAllText(flag, "");
        var ours = await _box.LucidAsync("-F", config, "picked", "echo matched-exec");
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal("matched-exec\n", ours.StdOut);

        var byUser = await _box.LucidAsync("-F", config, "byuser", "echo matched-user");
        Assert.True(byUser.ExitCode == 0, byUser.ToString());
        Assert.Equal("matched-user\n", byUser.StdOut);
    }

    [Fact]
    public async Task SendEnv_SetEnv_and_RemoteCommand_reach_the_server()
    {
        var config = _box.Write("env.conf", $"""
            Host envhost
              HostName 127.0.0.1
              Port {Port}
              SendEnv LUCID_SEND_*
              SetEnv LUCID_SET=from-setenv
              RemoteCommand echo "send=$LUCID_SEND_A set=$LUCID_SET other=$LUCID_OTHER"
            """);
        var environment = new Dictionary<string, string> { ["LUCID_SEND_A"] = "sent-a", ["LUCID_OTHER"] = "stays-local" };

        var ours = await _box.LucidAsync(environment, "-F", config, "envhost");
        var theirs = await _box.OpenSshAsync(environment, "-F", config, "envhost");
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal("send=sent-a set=from-setenv other=\n", ours.StdOut);
        Assert.Equal(theirs.StdOut, ours.StdOut);

        // A command on the command line and RemoteCommand exclude each other, in OpenSSH's words.
        var both = await _box.LucidAsync("-F", config, "envhost", "true");
        var theirsBoth = await _box.OpenSshAsync("-F", config, "envhost", "true");
        Assert.Equal(255, both.ExitCode);
        Assert.Equal(theirsBoth.StdErr, both.StdErr);
    }

    [Fact]
    public async Task A_bad_configuration_file_fails_with_OpenSSHs_file_line_messages_and_255()
    {
        var config = _box.Write("bad.conf", "Host *\n  User x\n  Foo bar\n  Port abc\n", withDefaults: false);
        var ours = await _box.LucidAsync("-F", config, "h", "true");
        var theirs = await _box.OpenSshAsync("-F", config, "h", "true");
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(theirs.StdErr, ours.StdErr);
        Assert.Equal($"{config}: line 3: Bad configuration option: foo\r\n{config} line 4: Bad port 'abc'.\r\n"
            + $"{config}: terminating, 2 bad configuration options\r\n", ours.StdErr);

        // The same in ~/.ssh/config (OpenSSH would read the account's own, so only Lucid runs here).
        var user = _box.WriteUserConfig("Bogus yes\n", withDefaults: false);
        var fromHome = await _box.LucidAsync(new Dictionary<string, string> { ["HOME"] = _box.Home }, "h", "true");
        Assert.Equal(255, fromHome.ExitCode);
        Assert.Equal($"{user}: line 1: Bad configuration option: bogus\r\n{user}: terminating, 1 bad configuration options\r\n",
            fromHome.StdErr);
    }

    [Fact]
    public async Task ProxyJump_and_ProxyCommand_given_in_the_file_are_used()
    {
        var stdio = $"ssh -F /dev/null -p %p -i {_server.ClientKeyPath("ed25519")} -o UserKnownHostsFile={_server.KnownHostsPath} "
            + "-o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -l %r -W %h:%p %h";
        var config = _box.Write("proxy.conf", $"""
            Host target
              HostName 127.0.0.1
              Port {Port}
              ProxyJump hop
            Host hop
              HostName 127.0.0.1
              Port {Port}
            Host viacommand
              HostName 127.0.0.1
              Port {Port}
              ProxyCommand {stdio}
            """);

        var jumped = await _box.LucidAsync("-F", config, "-v", "target", "echo through-hop");
        Assert.True(jumped.ExitCode == 0, jumped.ToString());
        Assert.Equal("through-hop\n", jumped.StdOut);
        // The hop is a nested ssh reading the same file for its own name, forwarding stdio to the target.
        Assert.Contains($"-W '[127.0.0.1]:{Port}' 'hop'", jumped.StdErr);

        var commanded = await _box.LucidAsync("-F", config, "viacommand", "echo through-command");
        Assert.True(commanded.ExitCode == 0, commanded.ToString());
        Assert.Equal("through-command\n", commanded.StdOut);
    }
}
