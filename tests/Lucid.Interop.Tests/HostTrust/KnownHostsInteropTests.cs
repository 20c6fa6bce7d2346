using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.OpenSsh;
using KnownHostsFile = Lucid.Ssh.OpenSsh.KnownHosts;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>known_hosts files crossing between OpenSSH and Lucid, against a real sshd.</summary>
[Collection(OpenSshCollection.Name)]
public sealed class KnownHostsInteropTests(OpenSshServerFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-khi-").FullName;
    private OpenSshServer Server => fixture.Server;

    public void Dispose() => Directory.Delete(_dir, true);

    private (string Type, byte[] Blob) HostKey(string type)
    {
        var parts = File.ReadAllText(Server.HostKeyPath(type) + ".pub").Trim().Split(' ');
        return (parts[0], Convert.FromBase64String(parts[1]));
    }

    private Task<ProcessResult> OpenSshConnect(string knownHosts, string hostKeyAlgorithm) =>
        ProcessRunner.RunAsync("ssh",
        [
            "-F", "/dev/null", "-p", Server.Port.ToString(), "-i", Server.ClientKeyPath("ed25519"),
            "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "HostKeyAlgorithms=" + hostKeyAlgorithm, "-l", Server.User, Server.Host, "echo ok",
        ]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenSsh_ssh_accepts_lines_Lucid_wrote(bool hashed)
    {
        var path = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(path, "# written by Lucid\n");
        var (type, blob) = HostKey("ed25519");
        KnownHostsFile.Append(path, Server.Host, Server.Port, type, blob, hash: hashed);
        Assert.Equal(hashed, File.ReadAllLines(path)[1].StartsWith("|1|", StringComparison.Ordinal));

        var result = await OpenSshConnect(path, "ssh-ed25519");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("ok\n", result.StdOut);
    }

    [Fact]
    public async Task OpenSsh_ssh_refuses_a_changed_key_on_the_line_Lucid_reports()
    {
        var path = Path.Combine(_dir, "known_hosts");
        var (type, wrong) = HostKey("ed25519");
        wrong = (byte[])wrong.Clone();
        wrong[^1] ^= 1;
        File.WriteAllText(path, "# first\n");
        KnownHostsFile.Append(path, Server.Host, Server.Port, type, wrong, hash: true);

        var ours = KnownHostsFile.Load([path]).Check(Server.Host, Server.Port, type, HostKey("ed25519").Blob);
        Assert.Equal((KnownHostsStatus.Changed, 2), (ours.Status, ours.Line));

        var result = await OpenSshConnect(path, "ssh-ed25519");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", result.StdErr);
        Assert.Contains($"Offending ED25519 key in {path}:2", result.StdErr);
    }

    [Fact]
    public async Task OpenSsh_ssh_accepts_a_pattern_line_with_negation_for_another_host()
    {
        var path = Path.Combine(_dir, "known_hosts");
        var (type, blob) = HostKey("ecdsa256");
        File.WriteAllText(path, $"[127.0.0.*]:{Server.Port},!other {type} {Convert.ToBase64String(blob)}\n");
        Assert.Equal(KnownHostsStatus.Known,
            KnownHostsFile.Load([path]).Check(Server.Host, Server.Port, type, blob).Status);
        var result = await OpenSshConnect(path, type);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Lucid_reads_every_key_in_a_file_hashed_by_ssh_keygen()
    {
        var path = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(path, "# fixture keys\n" + File.ReadAllText(Server.KnownHostsPath));
        var hashed = await ProcessRunner.RunAsync("ssh-keygen", ["-H", "-f", path]);
        Assert.True(hashed.ExitCode == 0, hashed.ToString());

        var kh = KnownHostsFile.Load([path]);
        Assert.All(kh.Entries, e => Assert.True(e.IsHashed));
        var line = 1;
        foreach (var type in OpenSshServer.KeyTypes)
        {
            line++;
            var (keyType, blob) = HostKey(type);
            var result = kh.Check(Server.Host, Server.Port, keyType, blob);
            Assert.Equal((KnownHostsStatus.Known, path, line), (result.Status, result.File, result.Line));
        }
        Assert.Equal(KnownHostsStatus.Unknown, kh.Check(Server.Host, 22, HostKey("rsa").Type, HostKey("rsa").Blob).Status);
    }

    [Fact]
    public async Task OpenSsh_ssh_refuses_a_key_Lucid_marks_revoked()
    {
        var path = Path.Combine(_dir, "known_hosts");
        var (type, blob) = HostKey("ed25519");
        File.WriteAllText(path, File.ReadAllText(Server.KnownHostsPath) + $"@revoked * {type} {Convert.ToBase64String(blob)}\n");
        Assert.Equal(KnownHostsStatus.Revoked,
            KnownHostsFile.Load([path]).Check(Server.Host, Server.Port, type, blob).Status);
        var result = await OpenSshConnect(path, "ssh-ed25519");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("REVOKED HOST KEY DETECTED", result.StdErr);
    }
}
