using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Tests.OpenSsh;

/// <summary>
/// Every sshd_config keyword Lucid parses but does not enforce, row by row from <see cref="UnenforcedKeywords"/>:
/// a line that asks for the missing feature is refused (with file, line and why) or warned about once, in
/// OpenSSH's "Unsupported option" words; the harmless values ("no", "none") pass silently.
/// </summary>
public sealed class UnenforcedKeywordsTests
{
    /// <summary>A line per table row that asks for what Lucid does not do, and one it can ignore exactly (or null).</summary>
    private static readonly Dictionary<string, (string Matters, string? Harmless)> Lines = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AuthorizedPrincipalsCommand"] = ("/usr/bin/principals %u", "none"),
        ["ChrootDirectory"] = ("/srv/%u", "none"),
        ["Subsystem"] = ("sftp internal-sftp", "sftp /usr/lib/openssh/sftp-server"),
        ["ForceCommand"] = ("internal-sftp", "/usr/bin/true"),
        ["PerSourceMaxStartups"] = ("3", "none"),
        ["PubkeyAuthOptions"] = ("touch-required", "none"),
        ["HostCertificate"] = ("/etc/ssh/ssh_host_ed25519_key-cert.pub", null),
        ["X11Forwarding"] = ("yes", "no"),
        ["PermitTunnel"] = ("yes", "no"),
        ["HostbasedAuthentication"] = ("yes", "no"),
        ["GSSAPIAuthentication"] = ("yes", "no"),
        ["KerberosAuthentication"] = ("yes", "no"),
        ["AuthorizedKeysCommand"] = ("/usr/bin/keys %u", "none"),
        ["UseDNS"] = ("yes", "no"),
        ["ExposeAuthInfo"] = ("yes", "no"),
        ["PrintLastLog"] = ("yes", "no"),
        ["ModuliFile"] = ("/etc/ssh/moduli", null),
        ["HostKeyAgent"] = ("/run/agent.sock", "none"),
        ["SecurityKeyProvider"] = ("/usr/lib/libsk.so", "internal"),
        ["LogVerbose"] = ("kex.c:*:1000", "none"),
        ["FingerprintHash"] = ("md5", "sha256"),
        ["IPQoS"] = ("af21 cs1", null),
    };

    public static TheoryData<string> Keywords() => new(UnenforcedKeywords.Server.Keys.Order());

    [Fact]
    public void Every_row_of_the_table_has_a_test_line_and_nothing_else_does()
    {
        Assert.Equal(Lines.Keys.Order(StringComparer.OrdinalIgnoreCase), UnenforcedKeywords.Server.Keys.Order(StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(Keywords))]
    public void A_line_asking_for_the_feature_is_refused_or_warned_about(string keyword)
    {
        var row = UnenforcedKeywords.Server[keyword];
        var text = $"PasswordAuthentication no\n{keyword} {Lines[keyword].Matters}\n";
        if (row.Verdict == UnenforcedVerdict.Refuse)
        {
            var e = Assert.Throws<SshdConfigException>(() => SshdConfig.Parse(text, "/etc/ssh/sshd_config"));
            Assert.Equal(
                $"/etc/ssh/sshd_config line 2: Unsupported option {keyword}: refusing to start, because ignoring it would weaken security ({row.Why})\n" +
                "/etc/ssh/sshd_config: terminating, 1 bad configuration options", e.Message);
            Assert.Equal(255, e.ExitCode);
        }
        else
        {
            var config = SshdConfig.Parse(text, "/etc/ssh/sshd_config");
            Assert.Equal([$"/etc/ssh/sshd_config line 2: Unsupported option {keyword} (not supported yet by Lucid: {row.Why})"], config.Warnings);
            // Warned once: replaying the file for a connection's Match blocks says nothing more.
            config.ForConnection(new SshdMatchContext { User = "alice", Address = "10.0.0.1", Host = "h", LocalAddress = "127.0.0.1", LocalPort = 22 });
            Assert.Single(config.Warnings);
        }
    }

    [Theory]
    [MemberData(nameof(Keywords))]
    public void A_value_that_asks_for_nothing_missing_passes_silently(string keyword)
    {
        if (Lines[keyword].Harmless is not { } harmless)
            return;
        var config = SshdConfig.Parse($"{keyword} {harmless}\n", "/etc/ssh/sshd_config");
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void A_refused_keyword_inside_a_Match_block_is_refused_too()
    {
        var e = Assert.Throws<SshdConfigException>(() => SshdConfig.Parse("Match User sftponly\n  ChrootDirectory /srv/%u\n", "cfg"));
        Assert.StartsWith("cfg line 2: Unsupported option ChrootDirectory: refusing to start", e.Message);
    }
}
