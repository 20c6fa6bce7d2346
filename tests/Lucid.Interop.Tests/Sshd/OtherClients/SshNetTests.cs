using Renci.SshNet;

namespace Lucid.Interop.Tests.Sshd.OtherClients;

/// <summary>SSH.NET (the NuGet package, a managed client) against `lucid sshd`: the post-quantum key exchange it prefers.</summary>
public sealed class SshNetTests(LucidSshdFixture fixture) : IClassFixture<LucidSshdFixture>
{
    private LucidSshd Server => fixture.Server;

    [Fact]
    public void SshNet_negotiates_mlkem768x25519_and_runs_a_command()
    {
        var expectedHostKey = Convert.FromBase64String(Scratch.PublicKey(Server.HostKeyPath("ed25519") + ".pub").Split(' ')[1]);
        using var key = new PrivateKeyFile(Server.ClientKeyPath("ed25519"));
        var connection = new ConnectionInfo("127.0.0.1", Server.Port, LucidSshd.TestUser, new PrivateKeyAuthenticationMethod(LucidSshd.TestUser, key));
        // Only the ed25519 host key, so the check below names the one key SSH.NET must have seen.
        foreach (var name in connection.HostKeyAlgorithms.Keys.Where(k => k != "ssh-ed25519").ToList())
            connection.HostKeyAlgorithms.Remove(name);
        using var client = new SshClient(connection);
        byte[]? seen = null;
        client.HostKeyReceived += (_, e) =>
        {
            seen = e.HostKey;
            e.CanTrust = e.HostKey.AsSpan().SequenceEqual(expectedHostKey);
        };
        client.Connect();
        Assert.Equal(expectedHostKey, seen);
        Assert.Equal("mlkem768x25519-sha256", client.ConnectionInfo.CurrentKeyExchangeAlgorithm);
        using var command = client.RunCommand("echo ok; exit 4");
        Assert.Equal("ok\n", command.Result);
        Assert.Equal(4, command.ExitStatus);
    }
}
