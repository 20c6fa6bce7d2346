using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>`lucid ssh` refusing a changed or revoked host key with OpenSSH's words, file, line and fix command.</summary>
[Collection(OpenSshCollection.Name)]
public sealed class HostKeyMismatchTests(OpenSshServerFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-hkm-").FullName;
    private OpenSshServer Server => fixture.Server;

    public void Dispose() => Directory.Delete(_dir, true);

    private string[] Args(string knownHosts) =>
    [
        "-F", "/dev/null", "-p", Server.Port.ToString(), "-i", Server.ClientKeyPath("ed25519"),
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes", "-o", "HostKeyAlgorithms=ssh-ed25519", "-l", Server.User, Server.Host, "true",
    ];

    private string HostKeyText => string.Join(' ', File.ReadAllText(Server.HostKeyPath("ed25519") + ".pub").Split(' ')[..2]);

    private static string[] Important(string stderr) =>
        [.. stderr.Replace("\r", "").Split('\n').Where(l => l.StartsWith("Offending", StringComparison.Ordinal)
            || l.Contains("ssh-keygen -f", StringComparison.Ordinal) || l.StartsWith('@') || l.StartsWith("Host key", StringComparison.Ordinal))];

    [Fact]
    public async Task Changed_key_names_file_line_and_the_ssh_keygen_command_like_OpenSSH()
    {
        var other = string.Join(' ', File.ReadAllText(Server.ClientKeyPath("ed25519") + ".pub").Split(' ')[..2]);
        var path = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(path, $"# first\nsomewhere {other}\n[127.0.0.1]:{Server.Port} {other}\n");
        var ours = await Lucid.RunAsync(["ssh", .. Args(path)]);
        var theirs = await ProcessRunner.RunAsync("ssh", Args(path));
        Assert.Equal(255, ours.ExitCode);
        Assert.Contains($"Offending ED25519 key in {path}:3", ours.StdErr);
        Assert.Contains($"ssh-keygen -f \"{path}\" -R \"[127.0.0.1]:{Server.Port}\"", ours.StdErr);
        Assert.Equal(Important(theirs.StdErr), Important(ours.StdErr));
    }

    [Fact]
    public async Task Revoked_key_is_refused_like_OpenSSH()
    {
        var path = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(path, $"[127.0.0.1]:{Server.Port} {HostKeyText}\n@revoked * {HostKeyText}\n");
        var ours = await Lucid.RunAsync(["ssh", .. Args(path)]);
        var theirs = await ProcessRunner.RunAsync("ssh", Args(path));
        Assert.Equal((255, 255), (theirs.ExitCode, ours.ExitCode));
        Assert.Contains("REVOKED HOST KEY DETECTED", ours.StdErr);
        Assert.EndsWith($"ED25519 host key for [127.0.0.1]:{Server.Port} was revoked and you have requested strict checking.\r\nHost key verification failed.\r\n", theirs.StdErr);
        Assert.Equal(theirs.StdErr, ours.StdErr);
    }
}
