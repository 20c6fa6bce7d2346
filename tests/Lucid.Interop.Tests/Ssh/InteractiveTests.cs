using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>`lucid ssh` in a real terminal (tmux): pty, prompt, window size and resizes, escapes, terminal restored.</summary>
public sealed class InteractiveTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Command(params string[] extra) =>
        $"'{Lucid.Executable}' ssh " + string.Join(' ', _server.SshArguments().Concat(extra).Select(a => $"'{a}'"));

    [Fact]
    public async Task Shell_with_pty_follows_resizes_and_tilde_dot_restores_the_terminal()
    {
        await using var tmux = await TmuxTerminal.StartAsync(100, 30);
        await tmux.TypeAsync("saved=$(stty -g)");
        await tmux.TypeAsync(Command());
        // The remote login shell's prompt (bash as root ends it in "# ").
        await tmux.WaitForAsync(@"[#$] $");

        await tmux.TypeAsync("export PS1='remote> '");
        await tmux.WaitForAsync("^remote> $");
        var (rows, columns) = await tmux.PaneSizeAsync();
        await tmux.TypeAsync("stty size");
        await tmux.WaitForAsync($"^{rows} {columns}$");

        await tmux.TmuxAsync("resize-window", "-t", "t", "-x", "120", "-y", "40");
        (rows, columns) = await tmux.PaneSizeAsync();
        Assert.Equal((40, 120), (rows, columns));
        // The window-change request leaves when the client handles SIGWINCH, which may be just after keys typed at
        // the same moment have gone out (as with OpenSSH's ssh): ask again until the remote terminal has the size.
        for (var attempt = 1; ; attempt++)
        {
            await tmux.TypeAsync("stty size");
            try
            {
                await tmux.WaitForAsync("^40 120$", TimeSpan.FromSeconds(2));
                break;
            }
            catch (TimeoutException) when (attempt < 5)
            {
            }
        }

        // ~? shows the help, ~. (after a newline) disconnects.
        await tmux.TypeAsync("");
        await tmux.TypeAsync("~?", enter: false);
        await tmux.WaitForAsync(@"^\(Note that escapes are only recognized immediately after newline\.\)$");
        await tmux.TypeAsync("~.", enter: false);
        await tmux.WaitForAsync("Connection to 127.0.0.1 closed.");
        await tmux.WaitForAsync(@"local\$ $");
        await tmux.TypeAsync("echo \"rc=$? restored=$([ \"$(stty -g)\" = \"$saved\" ] && echo yes || echo no)\"");
        await tmux.WaitForAsync("^rc=255 restored=yes$");
    }

    [Fact]
    public async Task Exit_from_the_remote_shell_returns_its_status_and_restores_the_terminal()
    {
        await using var tmux = await TmuxTerminal.StartAsync(80, 24);
        await tmux.TypeAsync("saved=$(stty -g)");
        await tmux.TypeAsync(Command());
        await tmux.WaitForAsync(@"[#$] $");
        await tmux.TypeAsync("exit 7");
        await tmux.WaitForAsync("Connection to 127.0.0.1 closed.");
        await tmux.WaitForAsync(@"local\$ $");
        await tmux.TypeAsync("echo \"rc=$? restored=$([ \"$(stty -g)\" = \"$saved\" ] && echo yes || echo no)\"");
        await tmux.WaitForAsync("^rc=7 restored=yes$");
    }

    private async Task<string> EscapesScreenAsync(string program)
    {
        await using var tmux = await TmuxTerminal.StartAsync(120, 40);
        await tmux.TypeAsync($"{program} " + string.Join(' ', _server.SshArguments().Select(a => $"'{a}'")));
        await tmux.WaitForAsync(@"[#$] $");
        await tmux.TypeAsync("export PS1='remote> '; clear");
        await tmux.WaitForAsync("^remote> $");
        // ~? then a doubled tilde (sends one "~"), then ~. to leave.
        await tmux.TypeAsync("~?", enter: false);
        await tmux.WaitForAsync(@"^\(Note that escapes are only recognized immediately after newline\.\)$");
        await tmux.TypeAsync("~~/x", enter: false);
        await tmux.TypeAsync("");
        await tmux.WaitForAsync("No such file or directory\n^remote> $");
        await tmux.TypeAsync("~.", enter: false);
        return await tmux.WaitForAsync(@"local\$ $");
    }

    [Fact]
    public async Task Escape_help_and_doubled_tilde_look_exactly_like_openssh()
    {
        var real = await EscapesScreenAsync("ssh");
        var ours = await EscapesScreenAsync($"'{Lucid.Executable}' ssh");
        static string FromRemotePrompt(string screen) => screen[screen.IndexOf("remote> ", StringComparison.Ordinal)..];
        Assert.Contains("~/x", FromRemotePrompt(real));
        Assert.Equal(FromRemotePrompt(real), FromRemotePrompt(ours));
    }

    [Fact]
    public async Task Tilde_ctrl_z_suspends_and_fg_resumes_the_session()
    {
        await using var tmux = await TmuxTerminal.StartAsync(100, 30);
        await tmux.TypeAsync("saved=$(stty -g)");
        await tmux.TypeAsync(Command());
        await tmux.WaitForAsync(@"[#$] $");
        await tmux.TypeAsync("export PS1='remote> '");
        await tmux.WaitForAsync("^remote> $");
        await tmux.TypeAsync("~\x1a", enter: false);
        await tmux.WaitForAsync(@"\[suspend ssh\]");
        await tmux.WaitForAsync(@"local\$ $");
        await tmux.TypeAsync("[ \"$(stty -g)\" = \"$saved\" ] && echo cooked-while-suspended");
        await tmux.WaitForAsync("^cooked-while-suspended$");
        await tmux.TypeAsync("fg");
        // Keys typed before ssh is back in raw mode would be echoed by the local terminal too (OpenSSH's ssh
        // behaves the same), so a user - and this test - types once the terminal is raw again.
        await tmux.WaitForRawModeAsync();
        await tmux.TypeAsync("echo back-$((6*7))");
        await tmux.WaitForAsync("^back-42\nremote> $");
        await tmux.TypeAsync("~#", enter: false);
        await tmux.WaitForAsync("^The following connections are open:");
        await tmux.TypeAsync("exit 3");
        await tmux.WaitForAsync(@"local\$ $");
        await tmux.TypeAsync("echo \"rc=$? restored=$([ \"$(stty -g)\" = \"$saved\" ] && echo yes || echo no)\"");
        await tmux.WaitForAsync("^rc=3 restored=yes$");
    }

    [Fact]
    public async Task Terminated_by_a_signal_still_restores_the_terminal()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"lucid-sigterm-{Guid.NewGuid():N}.log");
        try
        {
            await using var tmux = await TmuxTerminal.StartAsync(100, 30);
            await tmux.TypeAsync("saved=$(stty -g)");
            await tmux.TypeAsync(Command("-E", marker));
            await tmux.WaitForAsync(@"[#$] $");
            // The prompt pattern also matches the local prompt if the screen is read before the typed command
            // shows (a loaded machine), so look for the process itself until it is there.
            var pid = "";
            for (var attempt = 0; attempt < 100 && !System.Text.RegularExpressions.Regex.IsMatch(pid, @"^\d+$"); attempt++)
            {
                if (attempt > 0)
                    await Task.Delay(100);
                pid = (await ProcessRunner.RunAsync("pgrep", ["-f", marker])).StdOut.Trim();
            }
            Assert.Matches(@"^\d+$", pid);
            await tmux.WaitForAsync(@"[#$] $");
            await ProcessRunner.RunAsync("kill", ["-TERM", pid]);
            await tmux.WaitForAsync(@"local\$ $");
            await tmux.TypeAsync("echo \"restored=$([ \"$(stty -g)\" = \"$saved\" ] && echo yes || echo no)\"");
            await tmux.WaitForAsync("^restored=yes$");
        }
        finally
        {
            File.Delete(marker);
        }
    }
}
