using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh;
using Lucid.Ssh.Connection;

namespace Lucid.Interop.Tests.Client;

/// <summary>Signals, window changes and keepalives between our client and OpenSSH's sshd.</summary>
public sealed class OpenSshSessionControlTests(QuietOpenSshServerFixture fixture) : IClassFixture<QuietOpenSshServerFixture>
{
    [Fact]
    public async Task Keepalives_from_sshd_are_answered_so_a_quiet_session_survives()
    {
        var ct = ClientInterop.Timeout();
        // sshd probes every second and drops a client that leaves three probes in a row unanswered.
        await using var server = await OpenSshServer.StartAsync("LogLevel INFO", "ClientAliveInterval 1", "ClientAliveCountMax 3");
        await using var client = await ClientInterop.ConnectAsync(server, ClientInterop.Options(server), ct);

        var result = await client.RunCommandAsync("sleep 7; echo still here", ct);

        Assert.Equal(("still here\n", 0), (result.StandardOutput, result.ExitCode));
    }

    [Fact]
    public async Task Signal_request_reaches_the_remote_process()
    {
        var ct = ClientInterop.Timeout();
        // sshd turns privilege separation off after a root login and then refuses "signal"; log in as the test user.
        await TestUser.EnsureAsync();
        var options = ClientInterop.Options(fixture.Server, keyType: null);
        options.User = TestUser.Name;
        options.Password = TestUser.Password;
        await using var client = await ClientInterop.ConnectAsync(fixture.Server, options, ct);
        await using var session = await client.OpenSessionAsync(ct);
        await session.ExecAsync("echo ready; exec sleep 30", ct);
        var stdout = new StreamReader(session.StandardOutput);
        Assert.Equal("ready", await stdout.ReadLineAsync(ct));

        await session.SignalAsync("TERM", ct);

        var exit = await session.WaitForExitAsync(ct);
        Assert.Equal("TERM", exit.Signal?.Name);
    }

    [Fact]
    public async Task Window_change_is_seen_by_the_remote_terminal()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(fixture.Server, ClientInterop.Options(fixture.Server), ct);
        await using var session = await client.OpenSessionAsync(ct);
        var modes = new SshTerminalModes().Set(SshTerminalModes.ECHO, 0).Set(SshTerminalModes.ONLCR, 0);
        Assert.True(await session.RequestPtyAsync(new SshPtyRequest("xterm", 80, 24) { Modes = modes }, ct));
        await session.ExecAsync("bash -c 'trap \"stty size; exit 0\" WINCH; echo ready; while :; do sleep 0.1; done'", ct);
        var stdout = new StreamReader(session.StandardOutput);
        // On a terminal stderr shares the stream: the login shell's own start-up files (root's ~/.bashrc here) may
        // print first, so wait for the line the command prints.
        while (await stdout.ReadLineAsync(ct) is { } line && line != "ready")
        {
        }

        await session.ChangeWindowSizeAsync(new SshWindowSize(132, 50), ct);

        Assert.Equal("50 132", await stdout.ReadLineAsync(ct));
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
    }

    [Fact]
    public async Task Server_dying_mid_command_ends_the_command_with_a_connection_error()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(fixture.Server, ClientInterop.Options(fixture.Server), ct);

        // The shell's parent is sshd's per-connection process: killing it drops the TCP connection without a word.
        var error = await Assert.ThrowsAsync<SshConnectionException>(() => client.RunCommandAsync("kill -9 $PPID; sleep 30", ct));

        Assert.StartsWith("Connection", error.Message);
        await Assert.ThrowsAnyAsync<SshException>(() => client.RunCommandAsync("true", ct));
    }
}
