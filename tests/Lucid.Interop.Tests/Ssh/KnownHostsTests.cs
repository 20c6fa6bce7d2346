using Lucid.Ssh.OpenSsh;

namespace Lucid.Interop.Tests.Ssh;

public sealed class KnownHostsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-kh-").FullName;
    private static readonly byte[] KeyA = Convert.FromBase64String("AAAAC3NzaC1lZDI1NTE5AAAAIMNKJIFoifDNVscr5ySLif98eRpMTvH2lkNuaHMqArhQ");
    private static readonly byte[] KeyB = Convert.FromBase64String("AAAAC3NzaC1lZDI1NTE5AAAAIOtW5mM4bJkx7D2hYaQ3Vf8l0mXh2q3VpK9f8Zk2oR1c");

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_dir, "known_hosts");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string Line(string hosts, byte[] key) => $"{hosts} ssh-ed25519 {Convert.ToBase64String(key)}";

    [Fact]
    public void Plain_names_ports_patterns_and_negation()
    {
        var path = Write("# comment", "", Line("example.org,10.0.0.1", KeyA), Line("[example.org]:2222", KeyB),
            Line("*.corp,!evil.corp", KeyA));
        var kh = KnownHosts.Load([path]);
        Assert.Equal(KnownHostsStatus.Known, kh.Check("example.org", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Known, kh.Check("10.0.0.1", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Known, kh.Check("EXAMPLE.org", 2222, "ssh-ed25519", KeyB).Status);
        Assert.Equal(KnownHostsStatus.Unknown, kh.Check("example.org", 2200, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Known, kh.Check("db.corp", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Unknown, kh.Check("evil.corp", 22, "ssh-ed25519", KeyA).Status);
        var changed = kh.Check("example.org", 22, "ssh-ed25519", KeyB);
        Assert.Equal((KnownHostsStatus.Changed, path, 3), (changed.Status, changed.File, changed.Line));
    }

    [Fact]
    public void Other_key_types_do_not_count_as_a_change()
    {
        var path = Write($"h ecdsa-sha2-nistp256 {Convert.ToBase64String(KeyB)}");
        var result = KnownHosts.Load([path]).Check("h", 22, "ssh-ed25519", KeyA);
        Assert.Equal(KnownHostsStatus.Unknown, result.Status);
        Assert.True(result.OtherTypesKnown);
    }

    [Fact]
    public void Revoked_marker_wins()
    {
        var path = Write(Line("h", KeyA), "@revoked * " + Line("", KeyA).TrimStart());
        Assert.Equal(KnownHostsStatus.Revoked, KnownHosts.Load([path]).Check("h", 22, "ssh-ed25519", KeyA).Status);
    }

    [Fact]
    public async Task Names_hashed_by_ssh_keygen_H_are_matched()
    {
        var path = Write(Line("example.org", KeyA), Line("[127.0.0.1]:2222", KeyB));
        var hashed = await ProcessRunner.RunAsync("ssh-keygen", ["-H", "-f", path]);
        Assert.Equal(0, hashed.ExitCode);
        Assert.StartsWith("|1|", File.ReadAllText(path));
        var kh = KnownHosts.Load([path]);
        Assert.Equal(KnownHostsStatus.Known, kh.Check("example.org", 22, "ssh-ed25519", KeyA).Status);
        Assert.Equal(KnownHostsStatus.Known, kh.Check("127.0.0.1", 2222, "ssh-ed25519", KeyB).Status);
        Assert.Equal(KnownHostsStatus.Changed, kh.Check("127.0.0.1", 2222, "ssh-ed25519", KeyA).Status);
    }

    [Fact]
    public async Task Appended_entries_are_found_by_ssh_keygen_F()
    {
        var path = Path.Combine(_dir, "sub", "known_hosts");
        KnownHosts.Append(path, "127.0.0.1", 2222, "ssh-ed25519", KeyA);
        KnownHosts.Append(path, "example.org", 22, "ssh-ed25519", KeyB, hash: true);
        Assert.Equal($"[127.0.0.1]:2222 ssh-ed25519 {Convert.ToBase64String(KeyA)}", File.ReadAllLines(path)[0]);
        var found = await ProcessRunner.RunAsync("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", path]);
        Assert.Equal(0, found.ExitCode);
        var foundHashed = await ProcessRunner.RunAsync("ssh-keygen", ["-F", "example.org", "-f", path]);
        Assert.Equal(0, foundHashed.ExitCode);
        Assert.Contains(Convert.ToBase64String(KeyB), foundHashed.StdOut);
    }

    [Fact]
    public void Append_adds_a_newline_to_a_file_that_lacks_one()
    {
        var path = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(path, Line("a", KeyA));
        KnownHosts.Append(path, "b", 22, "ssh-ed25519", KeyB);
        Assert.Equal([Line("a", KeyA), Line("b", KeyB)], File.ReadAllLines(path));
    }
}
