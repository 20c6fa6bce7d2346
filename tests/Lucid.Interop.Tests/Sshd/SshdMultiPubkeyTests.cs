namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// `AuthenticationMethods publickey,publickey` is two factors only when they are two keys: sshd refuses a
/// key that already passed a step (OpenSSH's regress test multipubkey).
/// </summary>
public sealed class SshdMultiPubkeyTests
{
    private const string User = LucidSshd.TestUser;

    [Fact]
    public async Task One_key_cannot_pass_both_publickey_steps()
    {
        await using var server = await LucidSshd.StartAsync("AuthenticationMethods publickey,publickey");
        var r = await server.SshAsync("echo in");
        Assert.True(r.ExitCode == 255, r + "\n--- log\n" + server.Log);
        Assert.Equal("", r.StdOut);
        Assert.Contains($"{User}@127.0.0.1: Permission denied (publickey).", r.StdErr);
        var log = await server.WaitForLogAsync("refusing previously-used ED25519 key");
        Assert.DoesNotContain("Accepted publickey", log);
    }

    [Fact]
    public async Task Two_different_keys_pass_the_two_steps()
    {
        await using var server = await LucidSshd.StartAsync("AuthenticationMethods publickey,publickey");
        var r = await server.SshAsync("echo in", options: ["-i", server.ClientKeyPath("rsa")]);
        Assert.True(r.ExitCode == 0, r + "\n--- log\n" + server.Log);
        Assert.Equal("in\n", r.StdOut);
        var log = await server.WaitForLogAsync($"Accepted publickey for {User}");
        var partial = log.Split('\n').Single(l => l.Contains("Partial publickey", StringComparison.Ordinal));
        var accepted = log.Split('\n').Single(l => l.Contains("Accepted publickey", StringComparison.Ordinal));
        static string KeyOf(string line) => line[line.IndexOf("SHA256:", StringComparison.Ordinal)..].Trim();
        Assert.NotEqual(KeyOf(partial), KeyOf(accepted));
    }
}
