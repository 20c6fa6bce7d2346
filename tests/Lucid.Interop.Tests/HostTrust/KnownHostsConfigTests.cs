using Lucid.Interop.Tests.Fixtures;
using Lucid.Interop.Tests.SshConfig;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>
/// The known_hosts options from ssh_config, honoured when connecting: HashKnownHosts with accept-new writes a
/// hashed line that OpenSSH's ssh-keygen and ssh find; several UserKnownHostsFile and GlobalKnownHostsFile
/// files are all searched; StrictHostKeyChecking from the file decides.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection(OpenSshCollection.Name)]
public sealed class KnownHostsConfigTests(OpenSshServerFixture fixture) : IDisposable
{
    private readonly ClientConfigSandbox _box = new(fixture.Server);
    private OpenSshServer Server => fixture.Server;

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task HashKnownHosts_with_accept_new_writes_a_hashed_line_OpenSSH_finds()
    {
        var knownHosts = Path.Combine(_box.Directory, "kh", "known_hosts");
        var config = _box.Write("hash.conf", $"""
            Host hashed
              HostName 127.0.0.1
              Port {Server.Port}
              StrictHostKeyChecking accept-new
              HashKnownHosts yes
              UserKnownHostsFile {knownHosts}
            """);

        var first = await _box.LucidAsync("-F", config, "hashed", "echo first");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"Warning: Permanently added '[127.0.0.1]:{Server.Port}' (", first.StdErr);
        var line = Assert.Single(File.ReadAllLines(knownHosts));
        Assert.StartsWith("|1|", line, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", line, StringComparison.Ordinal);

        var found = await ProcessRunner.RunAsync("ssh-keygen", ["-F", $"[127.0.0.1]:{Server.Port}", "-f", knownHosts]);
        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Contains($"Host [127.0.0.1]:{Server.Port} found: line 1", found.StdOut);

        // The recorded key is now trusted, by us and by OpenSSH's ssh with strict checking.
        var strict = _box.Write("strict.conf", $"""
            Host hashed
              HostName 127.0.0.1
              Port {Server.Port}
              UserKnownHostsFile {knownHosts}
            """);
        var again = await _box.LucidAsync("-F", strict, "hashed", "echo again");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("Permanently added", again.StdErr);
        var theirs = await _box.OpenSshAsync("-F", strict, "-o", "HostKeyAlgorithms=" + HostKeyAlgorithm(line), "hashed", "echo openssh");
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
    }

    [Fact]
    public async Task Several_user_and_global_known_hosts_files_are_all_searched()
    {
        var absent = Path.Combine(_box.Directory, "absent");
        var config = _box.Write("files.conf", $"""
            Host inuser
              HostName 127.0.0.1
              Port {Server.Port}
              UserKnownHostsFile {absent}-1 {Server.KnownHostsPath}
            Host inglobal
              HostName 127.0.0.1
              Port {Server.Port}
              UserKnownHostsFile {absent}-2
              GlobalKnownHostsFile {absent}-3 {Server.KnownHostsPath}
            Host nowhere
              HostName 127.0.0.1
              Port {Server.Port}
              UserKnownHostsFile {absent}-4
              GlobalKnownHostsFile {absent}-5
            """);

        foreach (var alias in new[] { "inuser", "inglobal" })
        {
            var ours = await _box.LucidAsync("-F", config, alias, "echo trusted");
            var theirs = await _box.OpenSshAsync("-F", config, alias, "echo trusted");
            Assert.True(ours.ExitCode == 0, ours.ToString());
            Assert.Equal(theirs.StdOut, ours.StdOut);
        }

        var refused = await _box.LucidAsync("-F", config, "nowhere", "true");
        var theirsRefused = await _box.OpenSshAsync("-F", config, "nowhere", "true");
        Assert.Equal(255, refused.ExitCode);
        Assert.Equal(theirsRefused.ExitCode, refused.ExitCode);
        Assert.EndsWith("Host key verification failed.\r\n", refused.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(absent + "-4"), "strict checking must not record the key");
    }

    [Fact]
    public async Task A_host_recorded_only_with_its_RSA_key_is_checked_against_that_key_as_OpenSSH_does()
    {
        // Without HostKeyAlgorithms, ssh prefers the key types known_hosts already holds for the host.
        var rsaOnly = Path.Combine(_box.Directory, "rsa_known_hosts");
        File.WriteAllLines(rsaOnly, File.ReadAllLines(Server.KnownHostsPath).Where(l => l.Contains(" ssh-rsa ", StringComparison.Ordinal)));
        var config = _box.Write("rsa.conf", $"""
            Host rsaonly
              HostName 127.0.0.1
              Port {Server.Port}
              UserKnownHostsFile {rsaOnly}
            """);
        var ours = await _box.LucidAsync("-F", config, "-vvv", "rsaonly", "echo rsa-checked");
        var theirs = await _box.OpenSshAsync("-F", config, "rsaonly", "echo rsa-checked");
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(theirs.StdOut, ours.StdOut);
        Assert.Contains("debug3: order_hostkeyalgs: prefer hostkeyalgs: ", ours.StdErr);
        Assert.Contains("is known and matches the RSA host key.", ours.StdErr);
    }

    [Fact]
    public async Task HostKeyAlias_names_the_host_in_known_hosts_as_with_OpenSSH()
    {
        var aliased = Path.Combine(_box.Directory, "alias_known_hosts");
        File.WriteAllLines(aliased, File.ReadAllLines(Server.KnownHostsPath).Select(l => "lucid-alias " + l[(l.IndexOf(' ') + 1)..]));
        var config = _box.Write("alias.conf", $"""
            Host aliased
              HostName 127.0.0.1
              Port {Server.Port}
              HostKeyAlias Lucid-Alias
              UserKnownHostsFile {aliased}
            """);
        var ours = await _box.LucidAsync("-F", config, "aliased", "echo by-alias");
        var theirs = await _box.OpenSshAsync("-F", config, "aliased", "echo by-alias");
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(theirs.StdOut, ours.StdOut);
    }

    private static string HostKeyAlgorithm(string knownHostsLine) => knownHostsLine.Split(' ')[1] switch
    {
        "ssh-rsa" => "rsa-sha2-512",
        var type => type,
    };
}
