using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Tests.OpenSsh;

public sealed class SshdConfigTests
{
    [Fact]
    public void Defaults_are_OpenSSHs()
    {
        var c = SshdConfig.Parse("");
        Assert.Equal([22], c.Ports);
        Assert.Equal("without-password", c.PermitRootLogin);
        Assert.Equal(6, c.MaxAuthTries);
        Assert.Equal(10, c.MaxSessions);
        Assert.Equal((10, 30, 100), c.MaxStartups);
        Assert.Equal(TimeSpan.FromSeconds(120), c.LoginGraceTime);
        Assert.Equal([".ssh/authorized_keys", ".ssh/authorized_keys2"], c.AuthorizedKeysFiles);
        Assert.True(c.StrictModes);
        Assert.Empty(c.AuthenticationMethods);
        Assert.Null(c.ForceCommand);
        Assert.Null(c.Banner);
    }

    [Fact]
    public void Match_blocks_override_for_the_matching_connection_only()
    {
        var c = SshdConfig.Parse("""
            PasswordAuthentication yes
            Match User alice Address 192.168.0.0/16
              PasswordAuthentication no
              ForceCommand /usr/bin/rsync-only -d /srv
            Match Group admins
              MaxSessions 1
            """);
        var alice = c.ForConnection(new SshdMatchContext { User = "alice", Address = "192.168.4.5", Host = "h", LocalAddress = "127.0.0.1", LocalPort = 22 });
        var aliceElsewhere = c.ForConnection(new SshdMatchContext { User = "alice", Address = "10.0.0.5", Host = "h", LocalAddress = "127.0.0.1", LocalPort = 22 });
        var admin = c.ForConnection(new SshdMatchContext { User = "bob", Groups = ["users", "admins"], Address = "10.0.0.5", Host = "h", LocalAddress = "127.0.0.1", LocalPort = 22 });
        Assert.False(alice.PasswordAuthentication);
        Assert.Equal("/usr/bin/rsync-only -d /srv", alice.ForceCommand);
        Assert.True(aliceElsewhere.PasswordAuthentication);
        Assert.Null(aliceElsewhere.ForceCommand);
        Assert.Equal(1, admin.MaxSessions);
        Assert.Equal(10, alice.MaxSessions);
        Assert.True(c.PasswordAuthentication);
    }

    [Fact]
    public void Match_for_a_real_connection_without_the_user_field_is_an_error()
    {
        var c = SshdConfig.Parse("Match User alice\n  MaxSessions 1\n");
        var e = Assert.Throws<SshdConfigException>(() => c.ForConnection(new SshdMatchContext { Address = "1.2.3.4" }));
        Assert.Equal("'Match User' in configuration but 'user' not in connection test specification.", e.Message);
    }

    [Fact]
    public void Unknown_keyword_names_file_and_line()
    {
        var e = Assert.Throws<SshdConfigException>(() => SshdConfig.Parse("Port 22\n\nFoo bar\n", "/etc/ssh/sshd_config"));
        Assert.Equal("/etc/ssh/sshd_config: line 3: Bad configuration option: Foo\n/etc/ssh/sshd_config: terminating, 1 bad configuration options", e.Message);
        Assert.Equal(255, e.ExitCode);
    }

    [Theory]
    [InlineData("+aes128-cbc")]
    [InlineData("-aes*-ctr")]
    [InlineData("^aes256-ctr")]
    [InlineData("aes256-ctr,aes128-ctr")]
    [InlineData("aes128-ctr,3des-cbc")]
    public void Cipher_list_edits_apply_to_what_the_transport_offers(string spec)
    {
        var defaults = Lucid.Ssh.Crypto.AlgorithmRegistry.Defaults(Lucid.Ssh.Crypto.AlgorithmCategory.Cipher);
        var expected = spec switch
        {
            // The legacy CBC ciphers are never in the defaults but are offered when named, as by OpenSSH's sshd.
            "+aes128-cbc" => [.. defaults, "aes128-cbc"],
            "-aes*-ctr" => defaults.Where(d => !d.EndsWith("-ctr", StringComparison.Ordinal)).ToList(),
            "^aes256-ctr" => defaults.Where(d => d == "aes256-ctr").Concat(defaults.Where(d => d != "aes256-ctr")).ToList(),
            "aes256-ctr,aes128-ctr" => ["aes256-ctr", "aes128-ctr"],
            _ => (IReadOnlyList<string>)["aes128-ctr", "3des-cbc"],
        };
        var c = SshdConfig.Parse($"Ciphers {spec}\n");
        Assert.Equal(expected, c.Ciphers);
    }

    [Fact]
    public void Subsystems_setenv_and_acceptenv()
    {
        var c = SshdConfig.Parse("""
            Subsystem sftp /usr/lib/openssh/sftp-server -f AUTH
            AcceptEnv LANG LC_*
            AcceptEnv TZ
            SetEnv A=1 "B=two words" A=3
            SetEnv C=ignored
            """);
        Assert.Equal("/usr/lib/openssh/sftp-server -f AUTH", c.Subsystems["sftp"]);
        Assert.Equal(["LANG", "LC_*", "TZ"], c.AcceptEnv);
        Assert.Equal(["A=1", "B=two words"], c.SetEnv);
    }

    [Theory]
    [InlineData("alice", "alice", null, null, 1)]
    [InlineData("al*", "alice", null, null, 1)]
    [InlineData("alice@10.0.0.0/8", "alice", "host.example", "10.1.2.3", 1)]
    [InlineData("alice@10.0.0.0/8", "alice", "host.example", "11.1.2.3", 0)]
    [InlineData("alice@*.example", "alice", "host.example", "11.1.2.3", 1)]
    [InlineData("bob@*", "alice", "host.example", "11.1.2.3", 0)]
    public void User_patterns(string pattern, string user, string? host, string? ip, int expected) =>
        Assert.Equal(expected, SshdConfigPatterns.MatchUser(user, host ?? "h", ip ?? "127.0.0.1", pattern));

    [Theory]
    [InlineData("10.1.2.3", "10.0.0.0/8", 1)]
    [InlineData("10.1.2.3", "10.0.0.0/8,!10.1.0.0/16", -1)]
    [InlineData("192.168.1.1", "10.0.0.0/8", 0)]
    [InlineData("192.168.1.1", "192.168.1.*", 1)]
    [InlineData("::1", "::1/128", 1)]
    [InlineData("10.1.2.3", "10.0.0.1/8", -2)]
    public void Address_lists(string address, string list, int expected) =>
        Assert.Equal(expected, SshdConfigPatterns.MatchAddressList(address, list));
}
