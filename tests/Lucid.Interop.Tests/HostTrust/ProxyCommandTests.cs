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
        var ours = await Lucid.RunAsync(["ssh", "-o", "ProxyCommand=true", .. Server.SshArguments(), "true"]);
        Assert.Equal(255, ours.ExitCode);
        var theirs = await ProcessRunner.RunAsync("ssh", ["-o", "ProxyCommand=true", .. Server.SshArguments(), "true"]);
        Assert.Equal(theirs.StdErr, ours.StdErr);
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
