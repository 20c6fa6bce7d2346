using Lucid.Ssh.OpenSsh;
using KnownHostsFile = Lucid.Ssh.OpenSsh.KnownHosts;

namespace Lucid.Ssh.Tests.HostTrust;

public sealed class KnownHostsLookupTests
{
    private static readonly byte[] KeyA = Convert.FromBase64String("AAAAC3NzaC1lZDI1NTE5AAAAIMNKJIFoifDNVscr5ySLif98eRpMTvH2lkNuaHMqArhQ");
    private static readonly byte[] KeyB = Convert.FromBase64String("AAAAC3NzaC1lZDI1NTE5AAAAIOtW5mM4bJkx7D2hYaQ3Vf8l0mXh2q3VpK9f8Zk2oR1c");
    private static readonly string A = "ssh-ed25519 " + Convert.ToBase64String(KeyA);
    private static readonly string B = "ssh-ed25519 " + Convert.ToBase64String(KeyB);

    private static KnownHostsFile Parse(params string[] lines) =>
        KnownHostsFile.Parse(string.Join('\n', lines), "kh");

    [Fact]
    public void Comments_blank_lines_and_trailing_comments_are_handled()
    {
        var kh = Parse("# a comment", "", "   \t", $"host {A} my comment here", "  # indented comment");
        var entry = Assert.Single(kh.Entries);
        Assert.Equal(("host", 4, "my comment here"), (entry.Hosts, entry.Line, entry.Comment));
        Assert.Empty(kh.Errors);
    }

    [Fact]
    public void Invalid_lines_are_skipped_and_reported()
    {
        var kh = Parse("host ssh-ed25519", "host ssh-ed25519 !!notbase64!!", $"@bogus host {A}", $"ok {A}");
        Assert.Equal(4, Assert.Single(kh.Entries).Line);
        Assert.Equal(["kh:1: missing field", "kh:2: invalid key", "kh:3: invalid marker"], kh.Errors);
    }

    [Fact]
    public void Several_keys_per_host_each_known_and_the_line_is_named()
    {
        var kh = Parse($"h {B}", $"h {A}", $"h ecdsa-sha2-nistp256 {Convert.ToBase64String(KeyB)}");
        var a = kh.Check("h", 22, "ssh-ed25519", KeyA);
        Assert.Equal((KnownHostsStatus.Known, "kh", 2), (a.Status, a.File, a.Line));
        Assert.Equal(3, kh.Lookup("h", 22).Count());
    }

    [Fact]
    public void Port_form_only_matches_its_port()
    {
        var kh = Parse($"[h]:2222 {A}", $"h {B}");
        Assert.Equal(KnownHostsStatus.Known, kh.Check("h", 2222, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Changed, kh.Check("h", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Unknown, kh.Check("h", 2200, "ssh-ed25519", KeyA).Status);
    }

    [Fact]
    public void Wildcards_question_marks_and_negation()
    {
        var kh = Parse($"web?.example.com,*.corp,!bad.corp {A}");
        Assert.Equal(KnownHostsStatus.Known, kh.Check("web1.example.com", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Unknown, kh.Check("web10.example.com", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Known, kh.Check("DB.Corp", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Unknown, kh.Check("bad.corp", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsMatch.Negated, KnownHostsMatcher.Match("*.corp,!bad.corp", "bad.corp"));
    }

    [Fact]
    public void Hashed_names_match_with_and_without_port()
    {
        var salt = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var kh = Parse($"{KnownHostsMatcher.Hash("h", salt)} {A}", $"{KnownHostsMatcher.Hash("[h]:2222", salt)} {B}");
        Assert.Equal(KnownHostsStatus.Known, kh.Check("h", 22, "ssh-ed25519", KeyA).Status);
        var b = kh.Check("h", 2222, "ssh-ed25519", KeyB);
        Assert.Equal((KnownHostsStatus.Known, 2), (b.Status, b.Line));
        Assert.True(kh.Entries[0].IsHashed);
        Assert.Equal(KnownHostsMatch.None, KnownHostsMatcher.Match(kh.Entries[0].Hosts, "other"));
    }

    [Fact]
    public void Known_answer_hash_matches_openssh()
    {
        // Salt and name from a line ssh-keygen -H wrote for "example.org".
        const string hashed = "|1|iPn7utDQLSWBKjQo0pO4D2aoEhM=|rP8uaOuYown4rzOTluyQmFf2zuI=";
        var salt = Convert.FromBase64String("iPn7utDQLSWBKjQo0pO4D2aoEhM=");
        Assert.Equal(hashed, KnownHostsMatcher.Hash("example.org", salt));
    }

    [Fact]
    public void Revoked_applies_to_matching_hosts_and_beats_a_known_line()
    {
        var kh = Parse($"h {A}", $"@revoked * {A}", $"@revoked other {B}", $"h2 {B}");
        var r = kh.Check("h", 22, "ssh-ed25519", KeyA);
        Assert.Equal((KnownHostsStatus.Revoked, 2), (r.Status, r.Line));
        Assert.Equal(KnownHostsStatus.Known, kh.Check("h2", 22, "ssh-ed25519", KeyB).Status);
    }

    [Fact]
    public void Cert_authority_lines_only_vouch_for_certificates()
    {
        var kh = Parse($"@cert-authority *.example.com {A}", $"@revoked * {B}");
        Assert.Equal(KnownHostsStatus.Unknown, kh.Check("a.example.com", 22, "ssh-ed25519", KeyA).Status);
        var ca = kh.CheckCertificateAuthority("a.example.com", 22, KeyA);
        Assert.Equal((KnownHostsStatus.Known, 1), (ca.Status, ca.Line));
        Assert.Equal(KnownHostsStatus.Unknown, kh.CheckCertificateAuthority("a.example.org", 22, KeyA).Status);
        Assert.Equal(KnownHostsStatus.Revoked, kh.CheckCertificateAuthority("a.example.com", 22, KeyB).Status);
        Assert.Equal(KnownHostsMarker.CertAuthority, kh.Entries[0].Marker);
    }

    [Fact]
    public void Several_files_user_first_then_global()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-khl-").FullName;
        try
        {
            var user = Path.Combine(dir, "user");
            var global = Path.Combine(dir, "global");
            File.WriteAllText(user, $"x {B}\n");
            File.WriteAllText(global, $"# g\nh {A}\n");
            var kh = KnownHostsFile.Load([user, Path.Combine(dir, "missing"), global]);
            var r = kh.Check("h", 22, "ssh-ed25519", KeyA);
            Assert.Equal((KnownHostsStatus.Known, global, 2), (r.Status, r.File, r.Line));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Appended_lines_are_plain_or_hashed_and_read_back()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-kha-").FullName;
        try
        {
            var path = Path.Combine(dir, "sub", "known_hosts");
            KnownHostsFile.Append(path, "h", 2222, "ssh-ed25519", KeyA);
            File.AppendAllText(path, "# no newline at end");
            KnownHostsFile.Append(path, "h", 22, "ssh-ed25519", KeyB, hash: true);
            var lines = File.ReadAllLines(path);
            Assert.Equal($"[h]:2222 {A}", lines[0]);
            Assert.Matches(@"^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 ", lines[2]);
            var kh = KnownHostsFile.Load([path]);
            Assert.Equal(KnownHostsStatus.Known, kh.Check("h", 2222, "ssh-ed25519", KeyA).Status);
            Assert.Equal(KnownHostsStatus.Known, kh.Check("h", 22, "ssh-ed25519", KeyB).Status);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
