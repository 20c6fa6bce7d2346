using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Tests.OpenSsh;

public sealed class SshdAuthorizedKeysTests
{
    private static readonly SshPublicKey Alice = SshPrivateKey.Generate("ssh-ed25519").PublicKey;
    private static readonly SshPublicKey Bob = SshPrivateKey.Generate("ecdsa-sha2-nistp256").PublicKey;

    private static AuthorizedKeysEntry One(string options, SshPublicKey? key = null)
    {
        var line = (options.Length > 0 ? options + " " : "") + (key ?? Alice).ToLine("alice@laptop");
        var notes = new List<string>();
        var entries = AuthorizedKeysFile.Parse(line, "/home/alice/.ssh/authorized_keys", notes.Add);
        Assert.True(entries.Count == 1, string.Join("\n", notes));
        return entries[0];
    }

    [Fact]
    public void A_plain_key_allows_everything()
    {
        var e = One("");
        Assert.Equal(Alice, e.Key);
        Assert.Equal("alice@laptop", e.Comment);
        Assert.True(e.Options.PermitPty && e.Options.PermitPortForwarding && e.Options.PermitAgentForwarding &&
            e.Options.PermitX11Forwarding && e.Options.PermitUserRc);
        Assert.Null(e.Options.ForceCommand);
    }

    [Fact]
    public void Command_keeps_spaces_and_escaped_quotes()
    {
        var e = One("command=\"echo \\\"hello, world\\\" && date\"");
        Assert.Equal("echo \"hello, world\" && date", e.Options.ForceCommand);
    }

    [Fact]
    public void Restrict_turns_everything_off_and_pty_turns_one_back_on()
    {
        var e = One("restrict,pty");
        Assert.True(e.Options.Restricted);
        Assert.True(e.Options.PermitPty);
        Assert.False(e.Options.PermitPortForwarding || e.Options.PermitAgentForwarding || e.Options.PermitX11Forwarding || e.Options.PermitUserRc);
    }

    [Fact]
    public void No_flags_are_case_insensitive()
    {
        var e = One("no-pty,NO-PORT-FORWARDING,no-agent-forwarding,no-X11-forwarding,no-user-rc");
        Assert.False(e.Options.PermitPty || e.Options.PermitPortForwarding || e.Options.PermitAgentForwarding ||
            e.Options.PermitX11Forwarding || e.Options.PermitUserRc);
        Assert.False(e.Options.Restricted);
    }

    [Fact]
    public void Environment_first_value_for_a_name_wins()
    {
        var e = One("environment=\"A=1\",environment=\"B=two words\",environment=\"A=3\"");
        Assert.Equal(["A=1", "B=two words"], e.Options.Environment);
    }

    [Fact]
    public void Permitopen_and_permitlisten()
    {
        var e = One("permitopen=\"db:5432\",permitopen=\"[::1]:*\",permitlisten=\"8080\",permitlisten=\"localhost:9000\"");
        Assert.Equal(["db:5432", "[::1]:*"], e.Options.PermitOpen);
        Assert.Equal(["*:8080", "localhost:9000"], e.Options.PermitListen);
    }

    [Fact]
    public void Expiry_time_formats_and_the_earliest_wins()
    {
        var e = One("expiry-time=\"20300101Z\",expiry-time=\"202001021530Z\"");
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 15, 30, 0, TimeSpan.Zero), e.Options.ExpiryTime);
    }

    [Theory]
    [InlineData("bogus", "unknown key option")]
    [InlineData("command=\"ls", "invalid key option string")]
    [InlineData("command=ls", "missing start quote")]
    [InlineData("command=\"a\",command=\"b\"", "multiple \"command\" clauses")]
    [InlineData("from=\"a\",from=\"b\"", "multiple \"from\" clauses")]
    [InlineData("environment=\"NOEQUALS\"", "invalid environment string")]
    [InlineData("environment=\"BAD-NAME=x\"", "invalid environment string")]
    [InlineData("expiry-time=\"2020\"", "invalid expires time")]
    [InlineData("permitopen=\"host\"", "invalid permission hostname")]
    [InlineData("permitopen=\"host:http0\"", "invalid permission port")]
    [InlineData("no-pty,", "unexpected end-of-options")]
    public void Bad_options_skip_the_line_with_sshds_reason(string options, string reason)
    {
        var notes = new List<string>();
        var entries = AuthorizedKeysFile.Parse($"{options} {Alice.ToLine()}\n{Bob.ToLine()}\n", "ak", notes.Add);
        Assert.Equal([Bob], entries.Select(e => e.Key));
        Assert.Contains(notes, n => n.StartsWith("ak:1: ", StringComparison.Ordinal) && n.EndsWith(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Comments_blank_lines_and_unknown_key_types_are_skipped()
    {
        var text = $"# comment\n\n   \nssh-dss AAAAB3NzaC1kc3MAAACBAP== old\nsk-ssh-ed25519@openssh.com AAAA x\n  {Bob.ToLine()}\n";
        var entries = AuthorizedKeysFile.Parse(text, "ak");
        Assert.Equal(6, entries.Single().Line);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", "client.example", true)]
    [InlineData("10.0.0.0/8,!10.1.0.0/16", "10.1.2.3", "client.example", false)]
    [InlineData("*.example", "192.168.1.1", "client.example", true)]
    [InlineData("*.example,!bad.example", "192.168.1.1", "bad.example", false)]
    [InlineData("192.168.*", "192.168.1.1", "x", true)]
    [InlineData("192.168.*", "10.0.0.1", "x", false)]
    public void From_matches_host_names_and_addresses(string from, string ip, string host, bool allowed)
    {
        var e = One($"from=\"{from}\"");
        var log = new List<string>();
        var found = AuthorizedKeysFile.Authorize([e], Alice, "alice", ip, host, DateTimeOffset.UtcNow, log.Add);
        Assert.Equal(allowed, found is not null);
        if (!allowed)
            Assert.Contains($"/home/alice/.ssh/authorized_keys:1: Authentication tried for alice with correct key but not from a permitted host (host={host}, ip={ip}, required={from}).", log);
    }

    [Fact]
    public void An_expired_entry_is_refused()
    {
        var e = One("expiry-time=\"20200101Z\"");
        Assert.Null(AuthorizedKeysFile.Authorize([e], Alice, "alice", "127.0.0.1", "localhost", DateTimeOffset.UtcNow));
        Assert.NotNull(AuthorizedKeysFile.Authorize([e], Alice, "alice", "127.0.0.1", "localhost", new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Another_key_is_not_authorised()
    {
        var e = One("");
        Assert.Null(AuthorizedKeysFile.Authorize([e], Bob, "alice", "127.0.0.1", "localhost", DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData(".ssh/authorized_keys", "/home/alice/.ssh/authorized_keys")]
    [InlineData("/etc/ssh/keys/%u", "/etc/ssh/keys/alice")]
    [InlineData("%h/.ssh/keys_%U", "/home/alice/.ssh/keys_1001")]
    [InlineData("/k/100%%_%u", "/k/100%_alice")]
    public void AuthorizedKeysFile_tokens(string pattern, string expected) =>
        Assert.Equal(expected, AuthorizedKeysPath.Expand(pattern, "alice", 1001, "/home/alice"));

    [Fact]
    public void Unknown_token_is_an_error() =>
        Assert.Equal("percent_expand: unknown key %x", Assert.Throws<SshException>(() => AuthorizedKeysPath.Expand("%x", "a", 1, "/h")).Message);

    [Fact]
    public void StrictModes_refuses_group_writable_ssh_directory_and_files_of_other_users()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-strict-").FullName;
        try
        {
            var home = Path.Combine(dir, "alice");
            Directory.CreateDirectory(Path.Combine(home, ".ssh"));
            var file = Path.Combine(home, ".ssh", "authorized_keys");
            File.WriteAllText(file, "");
            var modes = new Dictionary<string, AuthorizedKeysFileStatus>
            {
                [file] = new(1001, (UnixFileMode)0b110_000_000, true, false),
                [Path.Combine(home, ".ssh")] = new(1001, (UnixFileMode)0b111_000_000, false, true),
                [home] = new(1001, (UnixFileMode)0b111_101_101, false, true),
            };
            AuthorizedKeysFileStatus? Stat(string p) => modes.TryGetValue(p, out var s) ? s : new AuthorizedKeysFileStatus(0, (UnixFileMode)0b111_101_101, false, true);

            Assert.Null(AuthorizedKeysPath.CheckStrictModes(file, home, 1001, Stat));
            modes[Path.Combine(home, ".ssh")] = new(1001, (UnixFileMode)0b111_111_000, false, true);
            Assert.Equal($"bad ownership or modes for directory {home}/.ssh", AuthorizedKeysPath.CheckStrictModes(file, home, 1001, Stat));
            modes[Path.Combine(home, ".ssh")] = new(1001, (UnixFileMode)0b111_000_000, false, true);
            modes[file] = new(1002, (UnixFileMode)0b110_000_000, true, false);
            Assert.Equal($"bad ownership or modes for file {file}", AuthorizedKeysPath.CheckStrictModes(file, home, 1001, Stat));
            modes[file] = new(1001, (UnixFileMode)0b110_000_010, true, false);
            Assert.Equal($"bad ownership or modes for file {file}", AuthorizedKeysPath.CheckStrictModes(file, home, 1001, Stat));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
