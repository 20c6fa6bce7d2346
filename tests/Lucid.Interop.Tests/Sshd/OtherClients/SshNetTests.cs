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

    [Fact]
    public void A_megabyte_written_into_a_command_arrives_whole()
    {
        using var key = new PrivateKeyFile(Server.ClientKeyPath("ed25519"));
        using var client = new SshClient(new ConnectionInfo("127.0.0.1", Server.Port, LucidSshd.TestUser,
            new PrivateKeyAuthenticationMethod(LucidSshd.TestUser, key)));
        client.HostKeyReceived += (_, e) => e.CanTrust = true;
        client.Connect();
        using var command = client.CreateCommand("sha256sum");
        var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024 * 1024);
        var run = command.BeginExecute();
        // SSH.NET sends what one Write gets in messages as large as the server allows, and fails past ~68,000 bytes.
        using (var input = command.CreateInputStream())
            input.Write(data);
        command.EndExecute(run);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)) + "  -\n", command.Result);
    }
}
