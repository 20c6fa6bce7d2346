using System.Text;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Tests.Auth;
using Lucid.Ssh.Tests.Connection;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Client;

/// <summary>SshClient end to end over an in-memory transport: scripted auth, then a server SshConnection running "commands".</summary>
public sealed class SshClientInMemoryTests
{
    private static async Task<(SshClient Client, SshConnection Server)> ConnectAsync(CancellationToken ct)
    {
        var (clientEnd, serverEnd) = InMemoryPacketConnection.CreatePair();
        var auth = new ScriptedAuthServer(serverEnd) { Chains = [["password"]] };
        var serving = Task.Run(() => auth.RunAsync(ct), ct);
        var client = await SshClient.ConnectAsync(clientEnd, new SshClientOptions { User = "alice", Password = "secret" },
            new ClientAuthContext { Host = "testhost" }, ct);
        Assert.True(await serving);

        var server = new SshConnection(serverEnd);
        server.ChannelOpenReceived = request =>
        {
            var session = new SshSession(request.Accept());
            session.OtherRequestReceived = r =>
            {
                if (r.Type != "exec")
                {
                    r.Reply(false);
                    return;
                }
                r.Reply(true);
                string command = new SshReader(r.Data.Span).ReadUtf8String();
                _ = Task.Run(() => FakeShell(session, command));
            };
        };
        server.Start();
        return (client, server);
    }

    /// <summary>"echo X" prints X; "fail N" prints to stderr and exits N; "cat" echoes stdin; "kill" dies by SIGTERM.</summary>
    private static async Task FakeShell(SshSession session, string command)
    {
        var words = command.Split(' ', 2);
        switch (words[0])
        {
            case "echo":
                await session.Channel.WriteAsync(Encoding.UTF8.GetBytes(words[1] + "\n"));
                await session.SendExitStatusAsync(0);
                break;
            case "fail":
                await session.Channel.WriteExtendedAsync(Encoding.UTF8.GetBytes("failing\n"));
                await session.SendExitStatusAsync(int.Parse(words[1]));
                break;
            case "cat":
                await session.Channel.Input.CopyToAsync(session.Channel.Output);
                await session.SendExitStatusAsync(0);
                break;
            case "kill":
                await session.SendExitSignalAsync(new SshExitSignal("TERM", false, ""));
                break;
        }
        await session.CloseAsync();
    }

    [Fact]
    public async Task Run_command_returns_output_and_exit_code()
    {
        var ct = ConnectionPair.Timeout();
        var (client, server) = await ConnectAsync(ct);
        await using var _ = client;
        await using var __ = server;

        var hello = await client.RunCommandAsync("echo hello world", ct);
        var failed = await client.RunCommandAsync("fail 7", ct);
        var killed = await client.RunCommandAsync("kill", ct);

        Assert.Equal(("hello world\n", "", 0), (hello.StandardOutput, hello.StandardError, hello.ExitCode));
        Assert.Equal(("", "failing\n", 7), (failed.StandardOutput, failed.StandardError, failed.ExitCode));
        Assert.Null(killed.ExitCode);
        Assert.Equal("TERM", killed.ExitSignal!.Name);
        Assert.Equal("password", client.AuthenticatedMethod);
    }

    [Fact]
    public async Task Session_streams_stdin_with_eof_and_reads_it_back()
    {
        var ct = ConnectionPair.Timeout();
        var (client, server) = await ConnectAsync(ct);
        await using var _ = client;
        await using var __ = server;

        await using var session = await client.OpenSessionAsync(ct);
        await session.ExecAsync("cat", ct);
        var output = new StreamReader(session.StandardOutput).ReadToEndAsync(ct);
        await using (var stdin = session.StandardInput)
            await stdin.WriteAsync(Encoding.UTF8.GetBytes("line one\nline two\n"), ct);

        Assert.Equal("line one\nline two\n", await output);
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
    }

    [Fact]
    public async Task Refused_exec_is_an_error_with_openssh_wording()
    {
        var ct = ConnectionPair.Timeout();
        var (client, server) = await ConnectAsync(ct);
        await using var _ = client;
        await using var __ = server;

        await using var session = await client.OpenSessionAsync(ct);
        var error = await Assert.ThrowsAsync<SshException>(() => session.SubsystemAsync("sftp", ct));
        Assert.Equal("subsystem request failed on channel 0", error.Message);
    }
}
