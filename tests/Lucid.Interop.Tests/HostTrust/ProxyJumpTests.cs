using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>`lucid ssh -J`: through two OpenSSH sshd instances on loopback, each hop's host key checked.</summary>
public sealed class ProxyJumpTests : IAsyncLifetime
{
    private OpenSshServer _a = null!;
    private OpenSshServer _b = null!;
    private string _config = "";

    public async Task InitializeAsync()
    {
        _a = await OpenSshServer.StartAsync("LogLevel VERBOSE");
        _b = await OpenSshServer.StartAsync("LogLevel VERBOSE");
        _config = Path.Combine(_a.Directory, "client_config");
        File.WriteAllText(_config, $"""
            Host jumpA
              HostName 127.0.0.1
              Port {_a.Port}
            Host jumpB
              HostName 127.0.0.1
              Port {_b.Port}
            Host *
              User {_a.User}
              IdentityFile {_a.ClientKeyPath("ed25519")}
              IdentitiesOnly yes
              UserKnownHostsFile {_a.KnownHostsPath} {_b.KnownHostsPath}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes
              BatchMode yes
            """);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Two_hops_reach_the_target_and_each_sshd_sees_a_login()
    {
        var result = await Lucid.RunAsync("ssh", "-F", _config, "-J", "jumpA,jumpB", "-p", _a.Port.ToString(), "127.0.0.1", "echo through-two-hops");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("through-two-hops\n", result.StdOut);
        // A is both the first hop and the target, B the second hop: both sshds accepted the user's key.
        await _a.WaitForLogAsync("Accepted publickey");
        await _b.WaitForLogAsync("Accepted publickey");
    }

    [Fact]
    public async Task A_hop_with_an_unknown_host_key_stops_the_jump()
    {
        var config = _config.Replace("client_config", "client_config_bad");
        File.WriteAllText(config, File.ReadAllText(_config).Replace($" {_b.KnownHostsPath}", ""));
        var result = await Lucid.RunAsync("ssh", "-F", config, "-J", "jumpB", "-p", _a.Port.ToString(), "127.0.0.1", "true");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Host key verification failed.", result.StdErr);
    }
}
