using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>`lucid ssh -o ProxyCommand=...`: the connection runs over a command's stdin/stdout (here OpenSSH's ssh -W).</summary>
[Collection(OpenSshCollection.Name)]
public sealed class ProxyCommandTests(OpenSshServerFixture fixture)
{
    private OpenSshServer Server => fixture.Server;

    private string OpenSshStdioForward =>
        $"ssh -F /dev/null -p %p -i {Server.ClientKeyPath("ed25519")} -o UserKnownHostsFile={Server.KnownHostsPath} " +
        $"-o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -l %r -W %h:%p %h";

    [Fact]
    public async Task Session_runs_through_a_proxy_command_with_tokens_expanded()
    {
        var result = await Lucid.RunAsync(["ssh", "-o", "ProxyCommand=" + OpenSshStdioForward, .. Server.SshArguments(), "echo via-proxy"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("via-proxy\n", result.StdOut);
    }

    [Fact]
    public async Task Verbose_output_names_the_proxy_command_as_OpenSSH_does()
    {
        var result = await Lucid.RunAsync(["ssh", "-v", "-o", "ProxyCommand=" + OpenSshStdioForward, .. Server.SshArguments(), "true"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"debug1: Executing proxy command: exec ssh -F /dev/null -p {Server.Port} ", result.StdErr);
        Assert.Contains($" -l {Server.User} -W 127.0.0.1:{Server.Port} 127.0.0.1", result.StdErr);
    }

    [Fact]
    public async Task A_proxy_command_that_exits_fails_like_OpenSSH()
    {
        // OpenSSH's own wording depends on a race: if the proxy has already exited when ssh sends its version
        // line, it reports the broken pipe; otherwise it reports the closed connection when reading. Both are
        // OpenSSH's words for this failure, so Lucid must print exactly one of them.
        string[] openSshWordings =
        [
            "kex_exchange_identification: Connection closed by remote host\r\nConnection closed by UNKNOWN port 65535\r\n",
            "banner exchange: Connection to UNKNOWN port 65535: Broken pipe\r\n",
        ];
        var theirs = await ProcessRunner.RunAsync("ssh", ["-o", "ProxyCommand=true", .. Server.SshArguments(), "true"]);
        Assert.Equal(255, theirs.ExitCode);
        Assert.Contains(theirs.StdErr, openSshWordings);

        var ours = await Lucid.RunAsync(["ssh", "-o", "ProxyCommand=true", .. Server.SshArguments(), "true"]);
        Assert.Equal(255, ours.ExitCode);
        Assert.Contains(ours.StdErr, openSshWordings);
    }

    [Fact]
    public async Task Stdio_forwarding_with_W_carries_OpenSSH_ssh_to_the_server()
    {
        var lucidW = $"{Lucid.Executable} ssh -F /dev/null -p %p -i {Server.ClientKeyPath("ed25519")} -o UserKnownHostsFile={Server.KnownHostsPath} " +
            $"-o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -l %r -W %h:%p %h";
        var result = await ProcessRunner.RunAsync("ssh", ["-o", "ProxyCommand=" + lucidW, .. Server.SshArguments(), "echo via-W"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("via-W\n", result.StdOut);
    }
}
