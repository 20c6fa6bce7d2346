using Lucid.Cli.Ssh;
using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.OpenSsh;
using LogLevel = Lucid.Cli.Ssh.LogLevel;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>
/// CheckHostIP=yes: the server's address is looked up and recorded beside its name, as OpenSSH's check_host_key
/// does. OpenSSH skips the check for loopback peers, so a connection to the test sshd cannot show it; these tests
/// drive `lucid ssh`'s host key check itself with a documentation address (192.0.2.7), real known_hosts files and
/// OpenSSH's ssh-keygen reading what was written.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection(OpenSshCollection.Name)]
public sealed class CheckHostIpTests(OpenSshServerFixture fixture) : IDisposable
{
    private const string Name = "server.example";
    private const string Address = "192.0.2.7";
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-checkhostip-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private (string Type, byte[] Blob, string Text) Key(string path)
    {
        var parts = File.ReadAllText(path).Trim().Split(' ');
        return (parts[0], Convert.FromBase64String(parts[1]), parts[0] + " " + parts[1]);
    }

    private (string Type, byte[] Blob, string Text) HostKey => Key(fixture.Server.HostKeyPath("ed25519") + ".pub");
    private (string Type, byte[] Blob, string Text) OtherKey => Key(fixture.Server.ClientKeyPath("ed25519") + ".pub");

    /// <summary>Runs the check as `lucid ssh` would for Name at Address; returns its verdict and what it logged.</summary>
    private (bool Trusted, string Log) Check(string knownHosts, string strict, string peerAddress = Address)
    {
        var config = global::Lucid.Ssh.OpenSsh.SshConfig.Resolve(Name, new SshConfigResolveOptions
        {
            ConfigFile = "none",
            CommandLineOptions = ["CheckHostIP yes", "StrictHostKeyChecking " + strict, "UserKnownHostsFile " + knownHosts,
                "GlobalKnownHostsFile /dev/null", "BatchMode yes"],
        });
        var logFile = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".log");
        bool trusted;
        using (var log = new SshLog(LogLevel.Info, logFile))
            trusted = new HostKeyVerifier(config, log, checkHostIp: true).Verify(Name, 22, peerAddress, HostKey.Type, HostKey.Blob);
        return (trusted, File.ReadAllText(logFile));
    }

    [Fact]
    public async Task A_new_host_is_recorded_with_its_address_on_one_line()
    {
        var knownHosts = Path.Combine(_dir, "known_hosts");
        var (trusted, log) = Check(knownHosts, "accept-new");
        Assert.True(trusted);
        Assert.Equal($"Warning: Permanently added '{Name},{Address}' (ED25519) to the list of known hosts.\r\n", log);
        Assert.Equal([$"{Name},{Address} {HostKey.Text}"], File.ReadAllLines(knownHosts));
        var found = await ProcessRunner.RunAsync("ssh-keygen", ["-F", Address, "-f", knownHosts]);
        Assert.True(found.ExitCode == 0, found.ToString());
    }

    [Fact]
    public void A_known_name_with_an_unknown_address_gets_the_address_added()
    {
        var knownHosts = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(knownHosts, $"{Name} {HostKey.Text}\n");
        var (trusted, log) = Check(knownHosts, "yes");
        Assert.True(trusted);
        Assert.Equal($"Warning: Permanently added the ED25519 host key for IP address '{Address}' to the list of known hosts.\r\n", log);
        Assert.Equal($"{Address} {HostKey.Text}", File.ReadAllLines(knownHosts)[1]);
    }

    [Fact]
    public void An_address_recorded_with_another_key_is_refused_under_strict_checking_and_warned_about_otherwise()
    {
        var knownHosts = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(knownHosts, $"{Name} {HostKey.Text}\n{Address} {OtherKey.Text}\n");
        var warning = $"Warning: the ED25519 host key for '{Name}' differs from the key for the IP address '{Address}'\r\n"
            + $"Offending key for IP in {knownHosts}:2\r\nMatching host key in {knownHosts}:1\r\n";

        var (refused, strictLog) = Check(knownHosts, "yes");
        Assert.False(refused);
        Assert.Equal(warning + "Exiting, you have requested strict checking.\r\n", strictLog);

        var (trusted, relaxedLog) = Check(knownHosts, "no");
        Assert.True(trusted);
        Assert.Equal(warning, relaxedLog);
    }

    [Fact]
    public void A_loopback_peer_is_not_checked_by_address_as_in_OpenSSH()
    {
        var knownHosts = Path.Combine(_dir, "known_hosts");
        var (trusted, _) = Check(knownHosts, "accept-new", "127.0.0.1");
        Assert.True(trusted);
        Assert.Equal([$"{Name} {HostKey.Text}"], File.ReadAllLines(knownHosts));
    }
}
