namespace Lucid.Interop.Tests.Fixtures;

/// <summary>The fixture itself works: OpenSSH's own client logs in with every client key type.</summary>
public sealed class OpenSshServerTests(OpenSshServerFixture fixture) : IClassFixture<OpenSshServerFixture>
{
    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa256")]
    [InlineData("ecdsa384")]
    [InlineData("ecdsa521")]
    [InlineData("rsa")]
    public async Task OpenSsh_client_logs_in_with_each_client_key(string keyType)
    {
        var server = fixture.Server;
        var result = await ProcessRunner.RunAsync("ssh", [.. server.SshArguments(keyType), "echo", "hello"]);
        Assert.True(result.ExitCode == 0, result + "\n--- sshd log\n" + server.Log);
        Assert.Equal("hello\n", result.StdOut);
        await server.WaitForLogAsync("Accepted publickey for " + server.User);
    }

    [Fact]
    public async Task Extra_config_lines_take_precedence_and_the_log_is_collected()
    {
        await using var server = await OpenSshServer.StartAsync("Ciphers aes128-ctr", "LogLevel DEBUG3");
        var result = await ProcessRunner.RunAsync("ssh", [.. server.SshArguments(), "-c", "aes256-ctr", "true"]);
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("no matching cipher found", result.StdErr);
        await server.WaitForLogAsync("no matching cipher found");
    }
}
