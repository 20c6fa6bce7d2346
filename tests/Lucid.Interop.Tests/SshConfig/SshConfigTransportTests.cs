using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.SshConfig;

/// <summary>
/// Connection-level options from ssh_config, seen where a user would see them: the algorithms and compression
/// sshd reports negotiating, the source address sshd reports (BindAddress), AddressFamily, LogLevel and the
/// authentication switches — each as OpenSSH's ssh behaves with the same file.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SshConfigTransportTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;
    private ClientConfigSandbox _box = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenSshServer.StartAsync();
        _box = new ClientConfigSandbox(_server);
    }

    public async Task DisposeAsync()
    {
        _box.Dispose();
        await _server.DisposeAsync();
    }

    private string Target(string alias, string settings) => $"""
        Host {alias}
          HostName 127.0.0.1
          Port {_server.Port}
        {settings}
        """;

    [Fact]
    public async Task Algorithm_lists_with_edits_and_Compression_reach_the_wire()
    {
        var config = _box.Write("algorithms.conf", Target("algo", """
              Ciphers ^aes192-ctr
              MACs hmac-sha2-512
              KexAlgorithms diffie-hellman-group14-sha256
              HostKeyAlgorithms -ssh-ed25519*,rsa-sha2-*,ecdsa-sha2-nistp256*,ecdsa-sha2-nistp521*
              Compression yes
            """));
        var result = await _box.LucidAsync("-F", config, "algo", "echo negotiated");
        Assert.True(result.ExitCode == 0, result.ToString());
        var log = await _server.WaitForLogAsync("client->server cipher: aes192-ctr MAC: hmac-sha2-512 compression: zlib@openssh.com");
        Assert.Contains("kex: algorithm: diffie-hellman-group14-sha256", log);
        Assert.Contains("kex: host key algorithm: ecdsa-sha2-nistp384", log);
    }

    [Fact]
    public async Task BindAddress_is_the_source_address_sshd_sees()
    {
        var config = _box.Write("bind.conf", Target("bound", "  BindAddress 127.0.0.2"));
        var result = await _box.LucidAsync("-F", config, "bound", "echo $SSH_CLIENT");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("127.0.0.2 ", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddressFamily_inet6_cannot_reach_an_IPv4_address_in_OpenSSHs_words()
    {
        var config = _box.Write("family.conf", Target("v6only", "  AddressFamily inet6"));
        var ours = await _box.LucidAsync("-F", config, "v6only", "true");
        var theirs = await _box.OpenSshAsync("-F", config, "v6only", "true");
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal(theirs.StdErr, ours.StdErr);
        Assert.Equal("ssh: Could not resolve hostname 127.0.0.1: Address family for hostname not supported\r\n", ours.StdErr);

        var v4 = _box.Write("family4.conf", Target("v4only", "  AddressFamily inet"));
        var reached = await _box.LucidAsync("-F", v4, "v4only", "echo v4");
        Assert.Equal("v4\n", reached.StdOut);
    }

    [Fact]
    public async Task PubkeyAuthentication_no_with_BatchMode_ends_in_OpenSSHs_permission_denied()
    {
        var config = _box.Write("noauth.conf", Target("nokeys", "  PubkeyAuthentication no"));
        var ours = await _box.LucidAsync("-F", config, "nokeys", "true");
        var theirs = await _box.OpenSshAsync("-F", config, "nokeys", "true");
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal(LastLine(theirs.StdErr), LastLine(ours.StdErr));
        Assert.Contains("Permission denied (", LastLine(ours.StdErr));
    }

    [Fact]
    public async Task LogLevel_from_the_file_sets_what_is_printed()
    {
        var config = _box.Write("loglevel.conf", Target("chatty", "  LogLevel DEBUG1") + "\n" + Target("silent", """
              LogLevel QUIET
              UserKnownHostsFile /dev/null
            """));
        var chatty = await _box.LucidAsync("-F", config, "chatty", "true");
        Assert.True(chatty.ExitCode == 0, chatty.ToString());
        Assert.Contains($"debug1: Connecting to 127.0.0.1 [127.0.0.1] port {_server.Port}.", chatty.StdErr);

        // QUIET: even the fatal "Host key verification failed." is not printed, as with OpenSSH.
        var ours = await _box.LucidAsync("-F", config, "silent", "true");
        var theirs = await _box.OpenSshAsync("-F", config, "silent", "true");
        Assert.Equal((255, ""), (ours.ExitCode, ours.StdErr));
        Assert.Equal((theirs.ExitCode, theirs.StdErr), (ours.ExitCode, ours.StdErr));
    }

    private static string LastLine(string text) => text.TrimEnd('\r', '\n').Split('\n')[^1].TrimEnd('\r');
}
